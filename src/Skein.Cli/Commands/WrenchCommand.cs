using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Skein.Evaluation;
using Skein.Pipeline;
using Skein.Selection;
using Skein.Training;
using Spectre.Console;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein wrench DIR --label-model NAME</c>: WRENCH's label-model evaluation of one data set (see
/// <see cref="WrenchProtocol"/>). Prints a small table, or with <c>--json</c> one object
/// <c>{"dataset", "label_model", "metric", "valid", "test", "fit_seconds"}</c>, plus the end model's and (with
/// <c>--self-train</c>) the self-trained model's scores.
/// </summary>
internal static class WrenchCommand
{
    public static Command Create(CliContext context)
    {
        var directory = new Argument<DirectoryInfo>("dir")
        {
            Description = "WRENCH folder: train.json, valid.json (class balance, selection) and optionally test.json, label.json, labeled_ids.json.",
        };
        var model = LabelModelOptions.Model("--label-model", "-m");
        var metric = new Option<string?>("--metric")
        {
            Description = "acc or f1 (binary F1 of class 1). Default: WRENCH's metric for the data set's name — f1 for sms, spouse, cdr, census, commercial, tennis, basketball; acc otherwise.",
        };
        metric.AcceptOnlyFromAmong("acc", "f1");
        var seed = LabelModelOptions.Seed();
        var search = new Option<bool>("--search")
        {
            Description = "Grid-search the model's hyper-parameters (WRENCH's search space) on valid only; ties keep the first grid point.",
        };
        var drop = new Option<string>("--drop-labeled-ids")
        {
            Description = "Drop the labeled_ids.json rows from train: auto (WRENCH's published convention: yes for youtube and trec, no otherwise), yes, no.",
            DefaultValueFactory = _ => "auto",
        };
        drop.AcceptOnlyFromAmong("auto", "yes", "no");
        var endModel = EndModelFactory.Model("--end-model", required: false, fineTune: true);
        endModel.Description = "Also train an end model (softmax or mlp) on the label model's probabilities of the covered train rows, or on their argmax, pick the labels and the training budget by valid score, and score it on valid and test.";
        var features = EndModelFactory.Features(required: false);
        features.Description = "Features of data.text for --end-model: tfidf (hashed n-grams) or minilm (sentence embeddings).";
        var selfTrain = new Option<bool>("--self-train")
        {
            Description = "With --end-model: self-train the chosen end model with the uncovered train rows as the pool, at most 3 rounds, keeping the best on valid of class-balanced top-k, FlexMatch class-adaptive thresholds and a fixed threshold (top-k without valid.json), and score it on valid and test.",
        };
        var selfTrainThreshold = new Option<double?>("--self-train-threshold")
        {
            Description = $"With --self-train: the confidence threshold (largest class probability) of the fixed-threshold and class-adaptive settings, in [0, 1]. Default {DefaultSelfTrainThreshold.ToString(CultureInfo.InvariantCulture)} (chosen on WRENCH valid splits).",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var quiet = CommonOptions.Quiet();
        var fineTune = new FineTuneCliOptions();

        var command = new Command("wrench", "Evaluate a label model with WRENCH's protocol: fit on train, class balance from valid, SHA1 tie-break, score every valid/test row.")
        {
            directory, model, metric, seed, search, drop, endModel, features, selfTrain, selfTrainThreshold, json, quiet,
        };
        fineTune.AddTo(command);
        command.SetAction(parse =>
        {
            context.Quiet = parse.GetValue(quiet);
            var dir = parse.GetRequiredValue(directory);
            bool isFineTune = parse.GetValue(endModel) == EndModelFactory.FineTune;
            fineTune.RequireEndModel(parse, isFineTune);
            var selfTraining = isFineTune
                ? (parse.GetValue(selfTrain) ? throw new UsageException("--self-train wraps softmax or mlp; with --end-model finetune use --cosine.") : null)
                : SelfTrainingFrom(parse.GetValue(selfTrain), parse.GetValue(selfTrainThreshold), parse.GetValue(endModel) is not null);
            var options = new WrenchProtocolOptions
            {
                Model = LabelModelCatalog.Get(parse.GetRequiredValue(model)),
                Metric = parse.GetValue(metric) switch
                {
                    "acc" => WrenchMetric.Accuracy,
                    "f1" => WrenchMetric.F1,
                    _ => null,
                },
                Seed = parse.GetValue(seed),
                Search = parse.GetValue(search),
                LabeledIds = parse.GetValue(drop) switch
                {
                    "yes" => LabeledIdsPolicy.Drop,
                    "no" => LabeledIdsPolicy.Keep,
                    _ => LabeledIdsPolicy.Auto,
                },
                TextEndModel = isFineTune ? fineTune.Create(parse, context, parse.GetValue(seed)) : null,
                EndModel = !isFineTune && parse.GetValue(endModel) is { } name
                    ? EndModelOptions(context, name, parse.GetValue(features)!, parse.GetValue(seed)) with { SelfTraining = selfTraining }
                    : null,
            };

            var result = LabelModelOptions.Unavailable(() => WrenchProtocol.Run(dir.FullName, options));
            Report(context, result);
            if (parse.GetValue(json))
            {
                WriteJson(context.Output, result);
            }
            else
            {
                WriteTable(context, result);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static WrenchEndModelOptions EndModelOptions(CliContext context, string model, string features, int? seed) => new()
    {
        Name = model,
        FeaturesName = features,
        Featurizer = features == EndModelFactory.MiniLm
            ? Featurizer.FromFunction<string>(texts => EndModelFactory.Embed(texts, context, "data.text", "data.text"))
            : Featurizer.TfIdf<string>(text => text, EndModelFactory.TfIdfOptions(model)),

        Trainers = EndModelFactory.BudgetLadder(model, seed ?? 0),
    };

    /// <summary>The fixed self-training threshold when --self-train-threshold is not given (the library's default).</summary>
    internal const double DefaultSelfTrainThreshold = SearchSpace.DefaultSelfTrainingThreshold;

    private static IReadOnlyList<SelfTrainingOptions>? SelfTrainingFrom(bool selfTrain, double? threshold, bool hasEndModel)
    {
        if (!selfTrain)
        {
            return threshold is null ? null : throw new UsageException("--self-train-threshold needs --self-train.");
        }

        if (!hasEndModel)
        {
            throw new UsageException("--self-train needs --end-model (softmax or mlp): self-training wraps the end model.");
        }

        double t = threshold ?? DefaultSelfTrainThreshold;
        if (!(t is >= 0 and <= 1))
        {
            throw new UsageException($"--self-train-threshold {t.ToString(CultureInfo.InvariantCulture)} is outside [0, 1]; it is a cut on the largest class probability.");
        }

        return SearchSpace.DefaultSelfTraining(t);
    }

    internal static string MetricName(WrenchMetric metric) => metric == WrenchMetric.F1 ? "f1" : "acc";

    private static void Report(CliContext context, WrenchResult r)
    {
        var dropped = r.DroppedLabeledRows > 0 ? $" ({r.DroppedLabeledRows:N0} labeled ids dropped)" : string.Empty;
        context.Progress($"{r.Dataset}: fitted {r.LabelModel} on {r.TrainRows:N0} train rows{dropped} × {r.LfCount} LFs, k = {r.Cardinality}");
        var balance = string.Join(", ", r.ClassBalance.Select(p => p.ToString("0.####", CultureInfo.InvariantCulture)));
        context.Progress(r.ClassBalanceSource == ClassBalanceSource.ValidLabels
            ? $"class balance from valid labels, (count + 1) / n: [{balance}]"
            : $"no valid.json: class balance uniform [{balance}], no valid score");
        foreach (var p in r.SearchPoints)
        {
            context.Progress($"search {string.Join(" ", p.HyperParameters)}: valid {p.Valid:F2} ({p.FitSeconds:F3} s)");
        }

        if (r.SearchPoints.Count > 0)
        {
            context.Progress($"chosen on valid: {(r.HyperParameters.Count == 0 ? "defaults (no search space)" : string.Join(" ", r.HyperParameters))}");
        }

        if (r.TextEndModel is { } t)
        {
            ReportText(context, t);
        }

        if (r.EndModel is { } e)
        {
            context.Progress($"end model {e.Name} on {e.FeaturesName}: {e.TrainRows:N0} covered train rows, chose {e.Model.History.Count} epochs on valid, {e.FitSeconds:F1} s");
            if (e.SelfTraining is { } s)
            {
                context.Progress($"self-training ({s.Options.Selection}): {s.RowsPseudoLabeled:N0} of {s.PoolRows:N0} uncovered train rows pseudo-labelled in {s.Iterations} rounds ({s.Termination}), {s.FitSeconds:F1} s");
            }
        }
    }

    private static void ReportText(CliContext context, WrenchTextEndModelResult t)
    {
        foreach (var note in t.Notes)
        {
            context.Progress($"note: {note}");
        }

        var source = t.ValidSource switch
        {
            WrenchValidSource.LabeledIds => $" (no valid.json: selected and scored on the {t.SelectionRows:N0} labeled_ids rows, left out of train; label model there {Format(t.LabelModelValid)})",
            WrenchValidSource.None => " (no rows to select on)",
            _ => string.Empty,
        };
        foreach (var stage in t.Stages)
        {
            context.Progress($"{t.Name} {stage.Stage}: valid {Format(stage.Valid)}, {stage.Seconds:F1} s{source}");
        }
    }

    private static void WriteJson(TextWriter output, WrenchResult r)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("dataset", r.Dataset);
            writer.WriteString("label_model", r.LabelModel);
            writer.WriteString("metric", MetricName(r.Metric));
            WriteNullable(writer, "valid", r.Valid);
            WriteNullable(writer, "test", r.Test);
            writer.WriteNumber("fit_seconds", r.FitSeconds);
            if (r.TextEndModel is { } tm)
            {
                writer.WriteString("end_model", tm.Name);
                writer.WriteString("valid_source", tm.ValidSource switch
                {
                    WrenchValidSource.ValidFile => "valid.json",
                    WrenchValidSource.LabeledIds => "labeled_ids",
                    _ => "none",
                });
                WriteNullable(writer, "label_model_selection_valid", tm.LabelModelValid);
                foreach (var stage in tm.Stages)
                {
                    WriteNullable(writer, $"{stage.Stage}_valid", stage.Valid);
                    WriteNullable(writer, $"{stage.Stage}_test", stage.Test);
                    writer.WriteNumber($"{stage.Stage}_fit_seconds", stage.Seconds);
                }

                writer.WriteStartObject("end_model_settings");
                foreach (var setting in tm.Settings)
                {
                    writer.WriteNumber(setting.Name, setting.Value);
                }

                writer.WriteEndObject();
            }

            if (r.EndModel is { } e)
            {
                writer.WriteString("end_model", e.Name);
                writer.WriteString("features", e.FeaturesName);
                WriteNullable(writer, "end_model_valid", e.Valid);
                WriteNullable(writer, "end_model_test", e.Test);
                writer.WriteNumber("end_model_fit_seconds", e.FitSeconds);
                writer.WriteString("end_model_labels", e.HardLabels ? "hard" : "soft");
                if (e.SelfTraining is { } s)
                {
                    WriteNullable(writer, "self_trained_valid", s.Valid);
                    WriteNullable(writer, "self_trained_test", s.Test);
                    writer.WriteNumber("self_train_pool_rows", s.PoolRows);
                    writer.WriteNumber("self_train_pseudo_labeled_rows", s.RowsPseudoLabeled);
                    writer.WriteNumber("self_train_iterations", s.Iterations);
                    writer.WriteString("self_train_selection", s.Options.Selection.ToString());
                    writer.WriteNumber("self_train_fit_seconds", s.FitSeconds);
                }
            }

            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    internal static void WriteNullable(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteTable(CliContext context, WrenchResult r)
    {
        var table = new Table().AddColumns("dataset", "model", "metric", "valid", "test", "fit s");
        table.AddRow(r.Dataset, r.LabelModel, MetricName(r.Metric), Format(r.Valid), Format(r.Test),
            r.FitSeconds.ToString("F3", CultureInfo.InvariantCulture));
        if (r.TextEndModel is { } tm)
        {
            foreach (var stage in tm.Stages)
            {
                table.AddRow(r.Dataset, $"{tm.Name} {stage.Stage}", MetricName(r.Metric), Format(stage.Valid), Format(stage.Test),
                    stage.Seconds.ToString("F3", CultureInfo.InvariantCulture));
            }
        }

        if (r.EndModel is { } e)
        {
            table.AddRow(r.Dataset, $"{e.Name} on {e.FeaturesName}", MetricName(r.Metric), Format(e.Valid), Format(e.Test),
                e.FitSeconds.ToString("F3", CultureInfo.InvariantCulture));
            if (e.SelfTraining is { } s)
            {
                table.AddRow(r.Dataset, $"{e.Name} on {e.FeaturesName}, self-trained", MetricName(r.Metric), Format(s.Valid), Format(s.Test),
                    s.FitSeconds.ToString("F3", CultureInfo.InvariantCulture));
            }
        }
        context.Console.Write(table);
    }

    private static string Format(double? score) => score?.ToString("F2", CultureInfo.InvariantCulture) ?? "-";
}

/// <summary>Options and error mapping shared by the commands that name a label model.</summary>
internal static class LabelModelOptions
{
    /// <summary>The name that asks for <see cref="LabelModelSelection.Auto"/>.</summary>
    public const string Auto = "auto";

    public static Option<string> Model(string name, string alias, bool allowAuto = false)
    {
        var option = new Option<string>(name, alias)
        {
            Description = "Label model: mv (majority vote), wmv (class-balance-weighted vote), ds (Dawid–Skene), dp (data programming), metal (Snorkel's LabelModel), fs (FlyingSquid).",
            Required = true,
        };
        if (allowAuto)
        {
            option.Description += " auto: choose among them on the gold rows (accuracy on covered rows, then a temperature), or without gold by held-out-LF agreement.";
            option.AcceptOnlyFromAmong([.. LabelModelCatalog.Names, Auto]);
        }
        else
        {
            option.AcceptOnlyFromAmong([.. LabelModelCatalog.Names]);
        }
        return option;
    }

    // A fixed default, so two runs without --seed give the same probabilities (the library's null would draw one).
    public static Option<int> Seed() => new("--seed")
    {
        Description = "Seed for models that use one (metal); others ignore it. Default 0.",
        DefaultValueFactory = _ => 0,
    };

    /// <summary>A planned model missing from this build is a data-level error (exit 1), not a crash.</summary>
    public static T Unavailable<T>(Func<T> run)
    {
        try
        {
            return run();
        }
        catch (NotSupportedException e)
        {
            throw new ArgumentException(e.Message, e);
        }
    }
}
