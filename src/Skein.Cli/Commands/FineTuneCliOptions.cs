using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Skein.Refinement;
using Skein.Transformers;

namespace Skein.Cli.Commands;

/// <summary>
/// The switches of <c>--end-model finetune</c> (wrench) and <c>--model finetune</c> (train). Only what the user sets
/// overrides <see cref="FineTuneEndModelOptions"/>; the defaults live in the library.
/// </summary>
internal sealed class FineTuneCliOptions
{
    private readonly Option<string> _encoder = new("--encoder")
    {
        Description = "With finetune: the encoder to fine-tune. Only minilm (the bundled all-MiniLM-L6-v2) for now.",
        DefaultValueFactory = _ => "minilm",
    };

    private readonly Option<int?> _freezeLayers = new("--freeze-layers")
    {
        Description = "With finetune: bottom transformer blocks frozen, with the embeddings (0–6). Default 4: a top-2-layer fine-tune.",
    };

    private readonly Option<int?> _epochs = new("--epochs")
    {
        Description = "With finetune: most epochs of the fine-tune (valid is checked 4 times per epoch, the best weights are kept). Default 4.",
    };

    private readonly Option<bool> _cosine = new("--cosine")
    {
        Description = "With finetune: after the fine-tune, COSINE contrastive self-training on every train row (ξ 0.3, T 50, 1000 steps).",
    };

    private readonly Option<int?> _cosineSteps = new("--cosine-steps")
    {
        Description = "With --cosine: most self-training steps. Default 1000.",
    };

    private readonly Option<string> _refine = new("--refine")
    {
        Description = "With finetune: refine the weak labels over frozen MiniLM embeddings before fine-tuning: none, knn (leave-one-out kNN smoothing) or gmm (class-conditional Gaussian mixture).",
        DefaultValueFactory = _ => "none",
    };

    public FineTuneCliOptions()
    {
        _encoder.AcceptOnlyFromAmong("minilm");
        _refine.AcceptOnlyFromAmong([.. LabelRefiners.Names]);
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_encoder);
        command.Options.Add(_freezeLayers);
        command.Options.Add(_epochs);
        command.Options.Add(_cosine);
        command.Options.Add(_cosineSteps);
        command.Options.Add(_refine);
    }

    /// <summary>The switches mean nothing without the fine-tuned model: say so (exit 2) rather than ignore them.</summary>
    public void RequireEndModel(ParseResult parse, bool isFineTune)
    {
        if (isFineTune)
        {
            return;
        }

        if (parse.GetResult(_cosineSteps) is { Implicit: false } && !parse.GetValue(_cosine))
        {
            throw new UsageException("--cosine-steps needs --cosine.");
        }

        foreach (var option in new Option[] { _freezeLayers, _epochs, _cosine })
        {
            if (parse.GetResult(option) is { Implicit: false })
            {
                throw new UsageException($"{option.Name} needs the finetune model.");
            }
        }

        if (parse.GetValue(_refine) != "none")
        {
            throw new UsageException("--refine needs the finetune model.");
        }
    }

    /// <summary>The library's end model with the user's overrides and per-check progress lines on stderr.</summary>
    public FineTuneEndModel Create(ParseResult parse, CliContext context, int? seed)
    {
        var defaults = new FineTuneEndModelOptions();
        int frozen = parse.GetValue(_freezeLayers) ?? defaults.FrozenLayers;
        if (frozen is < 0 or > 6)
        {
            throw new UsageException($"--freeze-layers {frozen} is outside 0–6 (MiniLM has 6 blocks).");
        }

        int epochs = parse.GetValue(_epochs) ?? defaults.FineTune.Epochs;
        if (epochs < 1)
        {
            throw new UsageException($"--epochs {epochs} must be at least 1.");
        }

        int steps = parse.GetValue(_cosineSteps) ?? defaults.CosineOptions.SelfTrainingSteps;
        if (steps < 1)
        {
            throw new UsageException($"--cosine-steps {steps} must be at least 1.");
        }

        return new FineTuneEndModel(defaults with
        {
            CosineOptions = defaults.CosineOptions with { SelfTrainingSteps = steps },
            FrozenLayers = frozen,
            FineTune = defaults.FineTune with { Epochs = epochs, Seed = seed },
            Cosine = parse.GetValue(_cosine),
            Refiner = LabelRefiners.FromName(parse.GetValue(_refine)!),
            Progress = new ProgressWriter(context),
        });
    }

    /// <summary>Writes each report at once (not through a synchronisation context) as one stderr line.</summary>
    private sealed class ProgressWriter(CliContext context) : IProgress<FineTuneProgress>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public void Report(FineTuneProgress value)
        {
            var check = value.ChecksPerEpoch > 1 ? $" check {value.Check}/{value.ChecksPerEpoch}" : string.Empty;
            var valid = value.ValidMetric is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "-";
            context.Progress(string.Create(CultureInfo.InvariantCulture,
                $"{value.Stage} epoch {value.Epoch}{check}: loss {value.TrainLoss:F4}, valid {valid}, lr {value.LearningRate:G3}, {value.Steps} steps, {_clock.Elapsed.TotalSeconds:F0} s"));
        }
    }
}
