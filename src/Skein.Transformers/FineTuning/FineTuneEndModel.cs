using System.Diagnostics;
using System.Globalization;
using Skein.Data;
using Skein.Evaluation;
using Skein.Refinement;

namespace Skein.Transformers;

/// <summary>
/// Options of <see cref="FineTuneEndModel"/>. The defaults are the best valid setting of the reference study
/// (bench/reference/README.md: sms, trec, youtube and semeval all chose it): a top-2-layer fine-tune of MiniLM (the
/// embeddings and the bottom 4 of 6 blocks frozen) at lr 3e-4, batch 32, 64 tokens, at most 4 epochs with valid checked
/// 4 times per epoch, on hard (argmax) labels; COSINE with ξ = 0.3, T = 50 and 1000 self-training steps.
/// </summary>
public sealed record FineTuneEndModelOptions
{
    /// <summary>Bottom transformer blocks frozen (with the embeddings); 0 trains everything. Default 4 (of MiniLM's 6).</summary>
    public int FrozenLayers { get; init; } = 4;

    /// <summary>Stage 1 (fine-tuning on the covered rows' weak labels).</summary>
    public FineTuneOptions FineTune { get; init; } = new()
    {
        LearningRate = 3e-4,
        BatchSize = 32,
        MaxLength = 64,
        Epochs = 4,
        EvaluationsPerEpoch = 4,
        Patience = 8,
        Labels = FineTuneLabels.Hard,
    };

    /// <summary>Run COSINE's self-training after stage 1. Default false.</summary>
    public bool Cosine { get; init; }

    /// <summary>COSINE's options; its <see cref="CosineOptions.Stage1"/> and seed are replaced by <see cref="FineTune"/> and the run's seed.</summary>
    public CosineOptions CosineOptions { get; init; } = new()
    {
        ConfidenceThreshold = 0.3,
        TeacherUpdatePeriod = 50,
        SelfTrainingSteps = 1000,
    };

    /// <summary>Refines the weak labels over the encoder's frozen sentence embeddings before stage 1 (see <see cref="LabelRefiners"/>); null = none.</summary>
    public ILabelRefiner? Refiner { get; init; }

    /// <summary>Threads of the encoder; null = all processors. The bits do not depend on it.</summary>
    public int? Threads { get; init; }

    /// <summary>Creates the encoder to fine-tune from its options; null (default) = the bundled all-MiniLM-L6-v2.</summary>
    public Func<BertEncoderOptions, ITrainableEncoder>? EncoderFactory { get; init; }

    /// <summary>Optional per-check progress of both stages.</summary>
    public IProgress<FineTuneProgress>? Progress { get; init; }
}

/// <summary>
/// The fine-tuned transformer as WRENCH's second stage (<see cref="IWrenchTextEndModel"/>): stage 1 fine-tunes the
/// encoder and a linear head on the covered train rows' weak labels, early-stopping on the selection rows; with
/// <see cref="FineTuneEndModelOptions.Cosine"/> COSINE then self-trains on every train row. Stages are scored on
/// valid and test as WRENCH scores the label model.
/// </summary>
/// <param name="options">The options; null = defaults.</param>
public sealed class FineTuneEndModel(FineTuneEndModelOptions? options = null) : IWrenchTextEndModel
{
    /// <summary>Stage name of the fine-tune in <see cref="WrenchTextEndModelResult.Stages"/>.</summary>
    public const string FineTuneStage = "end_model";

    /// <summary>Stage name of COSINE in <see cref="WrenchTextEndModelResult.Stages"/>.</summary>
    public const string CosineStage = "cosine";

    /// <summary>The options.</summary>
    public FineTuneEndModelOptions Options { get; } = options ?? new FineTuneEndModelOptions();

    /// <inheritdoc/>
    public string Name => "finetune";

    /// <summary>
    /// Fits the end model on texts and weak labels outside WRENCH's protocol (e.g. for <c>skein train</c>): loads the
    /// encoder, refines the labels if asked, fine-tunes (and runs COSINE if asked).
    /// </summary>
    /// <param name="texts">Training texts, covered and uncovered.</param>
    /// <param name="labels">Their weak labels (probabilities; with hard labels the argmax is used, ties to the lowest class).</param>
    /// <param name="covered">Which rows some LF voted on; null = all.</param>
    /// <param name="validation">Optional gold-labelled rows for early stopping and COSINE's selection.</param>
    /// <param name="seed">Seed; null = the fine-tune options' seed, else one picked and recorded.</param>
    /// <param name="stage1Completed">Optional: called with stage 1's best classifier before COSINE moves the encoder on.</param>
    /// <exception cref="ArgumentException">An option is out of range, or a class is the label of no covered row.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite (the message names the epoch and learning rate).</exception>
    public FineTuneEndModelFit Train(
        IReadOnlyList<string> texts,
        ProbabilisticLabels labels,
        IReadOnlyList<bool>? covered = null,
        FineTuneValidation? validation = null,
        int? seed = null,
        Action<FineTunedClassifier>? stage1Completed = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(labels);
        var o = Options;
        o.FineTune.Validate(nameof(FineTuneEndModelOptions) + "." + nameof(FineTuneEndModelOptions.FineTune));
        int chosen = seed ?? o.FineTune.Seed ?? Random.Shared.Next();
        var stage1 = o.FineTune with { Seed = chosen };
        var encoderOptions = new BertEncoderOptions { FrozenLayers = o.FrozenLayers, Threads = o.Threads ?? Environment.ProcessorCount };
        var encoder = o.EncoderFactory is { } factory ? factory(encoderOptions) : BertEncoder.LoadBundled(encoderOptions);

        // Counted once over the distinct training texts (the encoder's own counter counts every pass).
        int truncated = texts.Count == 0 ? 0 : encoder.Tokenize(texts, stage1.MaxLength).TruncatedRows;
        if (o.Refiner is { } refiner && refiner is not NoRefinement)
        {
            labels = refiner.Refine(Embed(encoder, texts, stage1.MaxLength), labels, covered);
        }

        if (!o.Cosine)
        {
            var classifier = new FineTuneTrainer(stage1).Fit(encoder, texts, labels, covered, validation, o.Progress);
            stage1Completed?.Invoke(classifier);
            return new FineTuneEndModelFit(classifier, null, truncated, chosen);
        }

        var cosineOptions = o.CosineOptions with { Stage1 = stage1, Seed = chosen };
        var result = new CosineTrainer(cosineOptions).Fit(encoder, texts, labels, covered, validation, o.Progress, stage1Completed);
        return new FineTuneEndModelFit(result.Classifier, result, truncated, chosen);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">An option is out of range, or a class is the label of no covered row.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite (the message names the epoch and learning rate).</exception>
    public WrenchTextEndModelResult Fit(WrenchTextEndModelInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = Options;

        // Hard labels come with WRENCH's SHA1 tie-break from the protocol (a refiner needs the probabilities).
        bool hard = o.FineTune.Labels == FineTuneLabels.Hard && o.Refiner is null or NoRefinement;
        var labels = hard ? input.TrainHardLabels : input.TrainLabels;
        var validation = input.ValidTexts is { } vt && input.ValidGold is { } vg ? new FineTuneValidation(vt, vg, input.Metric) : null;
        var stages = new List<WrenchStageScore>();
        var clock = Stopwatch.StartNew();
        var fit = Train(input.TrainTexts, labels, input.Covered, validation, input.Seed,
            c => stages.Add(Scored(FineTuneStage, c, input, clock.Elapsed.TotalSeconds)));
        if (o.Cosine)
        {
            var cosine = Scored(CosineStage, fit.Classifier, input, 0);
            stages.Add(cosine with { Seconds = clock.Elapsed.TotalSeconds - stages[0].Seconds });
        }

        int seed = fit.Seed;
        var stage1 = o.FineTune;
        var notes = fit.Notes(stage1.MaxLength);
        return new WrenchTextEndModelResult(Name, stages)
        {
            Notes = notes,
            Settings =
            [
                new("freeze_layers", o.FrozenLayers),
                new("lr", stage1.LearningRate),
                new("epochs", stage1.Epochs),
                new("batch", stage1.BatchSize),
                new("max_length", stage1.MaxLength),
                new("hard_labels", stage1.Labels == FineTuneLabels.Hard ? 1 : 0),
                new("seed", seed),
                new("refine_" + (o.Refiner?.Name ?? "none"), 1),
                .. o.Cosine
                    ? (HyperParameterValue[])[new("cosine_xi", o.CosineOptions.ConfidenceThreshold), new("cosine_t", o.CosineOptions.TeacherUpdatePeriod), new("cosine_steps", o.CosineOptions.SelfTrainingSteps)]
                    : [],
            ],
        };
    }

    private static WrenchStageScore Scored(string stage, FineTunedClassifier classifier, WrenchTextEndModelInput input, double seconds)
    {
        double? valid = input.ValidTexts is { } vt ? WrenchProtocol.Score(input.ValidGold!, classifier.PredictProba(vt), input.Metric) : null;
        double? test = input.TestTexts is { } tt ? WrenchProtocol.Score(input.TestGold!, classifier.PredictProba(tt), input.Metric) : null;
        return new WrenchStageScore(stage, valid, test, seconds);
    }

    /// <summary>L2-normalised mean-pooled embeddings of the encoder before any training (the refiners' feature space).</summary>
    private static float[][] Embed(ITrainableEncoder encoder, IReadOnlyList<string> texts, int maxLength)
    {
        if (encoder is BertEncoder bert)
        {
            return bert.Encode(texts, maxLength: maxLength);
        }

        var result = new float[texts.Count][];
        const int Batch = 64;
        for (int start = 0; start < texts.Count; start += Batch)
        {
            var chunk = texts.Skip(start).Take(Math.Min(Batch, texts.Count - start)).ToArray();
            var pass = encoder.Forward(encoder.Tokenize(chunk, maxLength), training: false, dropoutSeed: 0);
            for (int r = 0; r < chunk.Length; r++)
            {
                var row = pass.Pooled.AsSpan(r * pass.HiddenSize, pass.HiddenSize).ToArray();
                float norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot<float>(row, row));
                if (norm > 0)
                {
                    System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
                }

                result[start + r] = row;
            }
        }

        return result;
    }
}

/// <summary>The outcome of <see cref="FineTuneEndModel.Train"/>.</summary>
/// <param name="Classifier">The fitted classifier (COSINE's when it ran).</param>
/// <param name="Cosine">COSINE's result when it ran; otherwise null.</param>
/// <param name="TruncatedTexts">Training texts longer than the maximum length, truncated.</param>
/// <param name="Seed">The seed used.</param>
public sealed record FineTuneEndModelFit(FineTunedClassifier Classifier, CosineResult? Cosine, int TruncatedTexts, int Seed)
{
    /// <summary>What to say once in a report (the truncation count when there is one).</summary>
    public IReadOnlyList<string> Notes(int maxLength) => TruncatedTexts > 0
        ? [string.Create(CultureInfo.InvariantCulture, $"{TruncatedTexts:N0} training texts are longer than {maxLength} tokens and were truncated")]
        : [];
}
