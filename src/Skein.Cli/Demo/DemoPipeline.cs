using System.Globalization;
using Skein.Analysis;
using Skein.Data;
using Skein.EndModels;
using Skein.Evaluation;
using Skein.Examples;
using Skein.Features;
using Skein.LabelModels;
using Skein.Labeling;
using Skein.Onnx;

namespace Skein.Cli.Demo;

/// <summary>What <c>skein demo</c> is asked to do.</summary>
internal sealed record DemoOptions(string OutDirectory, string? TestFile, int Seed, double DevFraction = 0.2);

/// <summary>A model's accuracy on the dev split and (with a test file) on the test comments.</summary>
internal sealed record ModelScore(string Name, double DevAccuracy, double? TestAccuracy);

/// <summary>Everything the demo measured, for the console tables, the JSON line and the report.</summary>
internal sealed record DemoResult(
    int TrainCount,
    int DevCount,
    int? TestCount,
    LabelMatrix TrainMatrix,
    LabelMatrixSummary TrainSummary,
    IReadOnlyList<ModelScore> LabelModels,
    ModelScore ChosenLabelModel,
    ModelScore MajorityVote,
    ModelScore EndModel,
    Reliability LabelModelReliability,
    Reliability EndModelReliability,
    IReadOnlyList<EpochRecord> History,
    int[,] Confusion,
    string EvaluatedOn,
    int EndModelTrainRows,
    TimeSpan Elapsed);

/// <summary>
/// The demo pipeline: YouTube comments → 7 keyword LFs + 1 zero-shot embedding LF → label model (picked on dev)
/// → MiniLM features → end model on soft labels, early-stopped on dev.
/// </summary>
internal static class DemoPipeline
{
    public static readonly string[] ClassNames = ["HAM", "SPAM"];

    /// <summary>
    /// Zero-shot class prototypes: short descriptions written by hand, not taken from the data.
    /// </summary>
    private static readonly ClassPrototype[] Prototypes =
    [
        ClassPrototype.Of(YouTubeSpamLfs.Spam,
            "Check out my YouTube channel and subscribe",
            "Please subscribe to my channel, I make videos",
            "Visit my website to make money online",
            "Click this link to get free gift cards",
            "Follow me on Twitter and Facebook",
            "I am a new rapper, listen to my music and share it",
            "Like and share this comment so everyone sees it",
            "Promote your business with our service"),
        ClassPrototype.Of(YouTubeSpamLfs.Ham,
            "I love this song",
            "This music video is amazing",
            "Her voice is beautiful",
            "Who is still watching this in 2015?",
            "This song has over a billion views",
            "The best song ever, it never gets old",
            "This song brings back memories",
            "lol this video is so funny"),
    ];

    /// <summary>
    /// Vote when the best class leads by 0.05, however low its cosine. Chosen on the bundled videos only: majority vote
    /// over all 8 LFs, leaving each video out in turn, averaged 0.870 with these settings against 0.855 with the
    /// embedding LF's defaults plus a 0.1 margin (margins 0–0.15 and least similarities 0 / 0.2 were tried).
    /// </summary>
    private static readonly PrototypeOptions ZeroShotOptions = new() { Margin = 0.05, MinSimilarity = 0 };

    public static DemoResult Run(DemoOptions options, Action<string> progress)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Read the test file first: a wrong file should fail before the slow embedding step.
        IReadOnlyList<YouTubeComment>? test = options.TestFile is null ? null : YouTubeComments.Read(options.TestFile);
        var all = new List<YouTubeComment>();
        foreach (var file in YouTubeComments.BundledFiles())
        {
            all.AddRange(YouTubeComments.Read(file));
        }

        // Never train on a test comment: bundled comments whose id is in the test file are left out
        // (so --test with one bundled video gives a leave-one-video-out check).
        if (test is not null)
        {
            var testIds = test.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            int before = all.Count;
            all.RemoveAll(c => testIds.Contains(c.Id));
            if (all.Count < before)
            {
                progress($"left out {before - all.Count:N0} bundled comments that are in the test file");
            }
        }

        progress($"read {all.Count:N0} bundled comments{(test is null ? "" : $" and {test.Count:N0} test comments from {Path.GetFileName(options.TestFile)}")}");

        // Fixed-seed shuffle, then train / dev.
        var order = Enumerable.Range(0, all.Count).ToArray();
        new Random(options.Seed).Shuffle(order);
        int devCount = (int)Math.Round(all.Count * options.DevFraction);
        var train = order[devCount..].Select(i => all[i]).ToArray();
        var dev = order[..devCount].Select(i => all[i]).ToArray();
        progress($"split {train.Length:N0} train / {dev.Length:N0} dev (seed {options.Seed}); gold labels are used only on dev and test");

        var texts = train.Concat(dev).Concat(test ?? []).Select(c => c.Text).ToArray();
        using var embedder = new SentenceEmbedder();
        var cached = new CachedSentenceEmbedder(embedder, Path.Combine(options.OutDirectory, ".cache", "embeddings"));
        var embeddings = Embed(cached, texts, progress);
        var trainEmb = embeddings[..train.Length];
        var devEmb = embeddings[train.Length..(train.Length + dev.Length)];
        var testEmb = test is null ? null : embeddings[(train.Length + dev.Length)..];

        // LFs over row indices: the 7 text LFs read the text, the zero-shot LF reads the precomputed embedding.
        var zeroShot = EmbeddingPrototypeLabelingFunction.Create("zero_shot_minilm", cached, Prototypes,
            ZeroShotOptions);
        LabelMatrix Apply(IReadOnlyList<YouTubeComment> comments, float[][] emb)
        {
            var lfs = YouTubeSpamLfs.All
                .Select(lf => LabelingFunction.Create<int>(lf.Name, i => lf.Vote(comments[i].Text)))
                .Append(zeroShot.OverRows(emb))
                .ToArray();
            return new LabelingFunctionApplier<int>(lfs, YouTubeSpamLfs.Cardinality).Apply(Enumerable.Range(0, comments.Count).ToArray()).Matrix;
        }

        var trainMatrix = Apply(train, trainEmb);
        var devMatrix = Apply(dev, devEmb);
        var testMatrix = test is null ? null : Apply(test, testEmb!);
        var summary = LabelMatrixSummary.Create(trainMatrix, null);
        progress($"applied {trainMatrix.LfCount} LFs: coverage {summary.LabelCoverage:P1} of train");
        var devSummary = LabelMatrixSummary.Create(devMatrix, dev.Select(c => c.Label).ToArray());
        foreach (var lf in devSummary.LabelingFunctions)
        {
            progress($"  dev {lf.Name}: coverage {lf.Coverage:0.000} accuracy {lf.EmpiricalAccuracy:0.000}");
        }

        // Label models are fit on train votes only; dev gold picks the best.
        var devGold = dev.Select(c => c.Label).ToArray();
        var testGold = test?.Select(c => c.Label).ToArray();
        var candidates = new (string Name, Func<LabelModel> Fit)[]
        {
            ("MatrixCompletion", () => new MatrixCompletion(new MatrixCompletionOptions { Seed = options.Seed }).Fit(trainMatrix)),
            ("DataProgramming", () => new DataProgramming().Fit(trainMatrix)),
            ("MajorityVote", () => new MajorityVote().Fit(trainMatrix)),
        };
        var fitted = candidates.Select(c => (c.Name, Model: c.Fit())).ToArray();
        double Score(LabelModel model, LabelMatrix matrix, int[] gold) =>
            Metrics.Accuracy(gold, TieBreaking.ProbsToPreds(model.PredictProba(matrix), TieBreakPolicy.Random));
        var scores = fitted.Select(f => new ModelScore(f.Name, Score(f.Model, devMatrix, devGold),
            testMatrix is null ? null : Score(f.Model, testMatrix, testGold!))).ToArray();
        foreach (var s in scores)
        {
            progress($"label model {s.Name}: dev accuracy {s.DevAccuracy:0.000}");
        }

        // Ties go to the first candidate, so MajorityVote wins only when strictly better.
        int best = Array.IndexOf(scores, scores.MaxBy(s => s.DevAccuracy));
        var labelModel = fitted[best].Model;
        var mv = scores.Single(s => s.Name == "MajorityVote");

        // End model on soft labels of covered train rows (uncovered rows carry only the prior).
        var trainProbs = labelModel.PredictProba(trainMatrix);
        var covered = Enumerable.Range(0, train.Length).Where(i => Covered(trainMatrix, i)).ToArray();
        // Features: MiniLM embeddings next to hashed word/char n-gram TF-IDF (fit on train texts only).
        var tfidf = new HashedNGramFeaturizer(new HashedNGramOptions { Dimension = 1 << 14 }).Fit(train.Select(c => c.Text).ToArray());
        FeatureMatrix Features(IReadOnlyList<YouTubeComment> comments, float[][] emb) => Combine(emb, tfidf.Transform(comments.Select(c => c.Text).ToArray()));
        var x = Features(covered.Select(i => train[i]).ToArray(), covered.Select(i => trainEmb[i]).ToArray());
        var soft = trainProbs.SelectRows(covered);
        var devX = Features(dev, devEmb);
        var validation = new ValidationSet(devX, OneHot(devGold));
        progress($"training the end model on {covered.Length:N0} covered train rows (MiniLM + TF-IDF features), on soft and on hard labels");
        // On dev (seed 1) the MLP beat softmax regression (0.912 vs 0.880 at the best L2) and either feature set alone
        // (0.915 TF-IDF, 0.858 MiniLM) at 2^16 buckets; 2^14 buckets cost 0.01 on dev but train 4x faster (Adam touches every weight).
        // Soft labels are the noise-aware default, but a label model can rank well and be badly calibrated: DataProgramming's
        // one-sided keyword LFs make spam posteriors ~1 and ham posteriors ~0.5–0.6, and an MLP on those soft labels leaned
        // to spam (0.72 leaving each video out, against 0.92 on the argmax labels). So both are trained and dev decides.
        var mlp = new Mlp(new MlpOptions { HiddenSizes = [256], Epochs = 60, Patience = 8, Seed = options.Seed });
        var candidatesEnd = new (string Labels, EndModel Model)[]
        {
            ("soft", mlp.Fit(x, soft, validation: validation)),
            ("hard", mlp.Fit(x, OneHot(TieBreaking.ProbsToPreds(soft, TieBreakPolicy.Random)), validation: validation)),
        };
        var devAccuracies = candidatesEnd.Select(c => Metrics.Accuracy(devGold, c.Model.Predict(devX))).ToArray();
        int bestEnd = devAccuracies[1] > devAccuracies[0] ? 1 : 0;
        progress($"end model on soft labels: dev accuracy {devAccuracies[0]:0.000}; on hard labels: {devAccuracies[1]:0.000}; using {candidatesEnd[bestEnd].Labels}");
        EndModel endModel = candidatesEnd[bestEnd].Model;
        var devEndProbs = endModel.PredictProba(devX);
        ProbabilisticLabels? testEndProbs = testEmb is null ? null : endModel.PredictProba(Features(test!, testEmb));
        var endScore = new ModelScore(endModel.ModelName, Metrics.Accuracy(devGold, devEndProbs.ArgMax()),
            testEndProbs is null ? null : Metrics.Accuracy(testGold!, testEndProbs.ArgMax()));
        progress($"end model {endScore.Name}: dev accuracy {endScore.DevAccuracy:0.000}");

        // Calibration and the confusion matrix on the evaluation set (test when given, else dev).
        var evalGold = testGold ?? devGold;
        var evalMatrix = testMatrix ?? devMatrix;
        var evalEnd = testEndProbs ?? devEndProbs;
        var confusion = new int[2, 2];
        var predicted = evalEnd.ArgMax();
        for (int i = 0; i < evalGold.Length; i++)
        {
            confusion[evalGold[i], predicted[i]]++;
        }

        return new DemoResult(train.Length, dev.Length, test?.Count, trainMatrix, summary, scores, scores[best], mv, endScore,
            Calibration.Reliability(labelModel.PredictProba(evalMatrix), evalGold), Calibration.Reliability(evalEnd, evalGold),
            endModel.History, confusion, test is null ? "dev" : "test", covered.Length, clock.Elapsed);
    }

    private static float[][] Embed(CachedSentenceEmbedder cached, string[] texts, Action<string> progress)
    {
        int lastDecile = -1;
        var reporter = new Progress(p =>
        {
            int decile = p.Total == 0 ? 10 : p.Done * 10 / p.Total;
            if (decile != lastDecile)
            {
                lastDecile = decile;
                progress($"embedding comments with MiniLM: {p.Done:N0}/{p.Total:N0}");
            }
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = cached.Encode(texts, reporter);
        progress(string.Create(CultureInfo.InvariantCulture,
            $"embedded {texts.Length:N0} comments in {clock.Elapsed.TotalSeconds:0.0}s ({cached.Hits:N0} from the cache)"));
        return result;
    }

    private static bool Covered(LabelMatrix matrix, int row)
    {
        for (int j = 0; j < matrix.LfCount; j++)
        {
            if (matrix[row, j] != LabelMatrix.Abstain)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Embedding columns first, then the n-gram columns, as one sparse matrix.</summary>
    private static SparseMatrix Combine(float[][] embeddings, SparseMatrix ngrams)
    {
        int d = embeddings[0].Length;
        var pointers = new int[embeddings.Length + 1];
        var columns = new List<int>();
        var values = new List<float>();
        for (int i = 0; i < embeddings.Length; i++)
        {
            for (int c = 0; c < d; c++)
            {
                columns.Add(c);
                values.Add(embeddings[i][c]);
            }

            foreach (int c in ngrams.RowColumns(i))
            {
                columns.Add(d + c);
            }

            values.AddRange(ngrams.RowValues(i));

            pointers[i + 1] = columns.Count;
        }

        return SparseMatrix.FromCsr(pointers, columns.ToArray(), values.ToArray(), d + ngrams.ColumnCount);
    }


    private static ProbabilisticLabels OneHot(int[] gold)
    {
        var values = new double[gold.Length * 2];
        for (int i = 0; i < gold.Length; i++)
        {
            values[(i * 2) + gold[i]] = 1;
        }

        return ProbabilisticLabels.FromRowMajor(values, 2);
    }

    /// <summary>Synchronous progress: <see cref="Progress{T}"/> would post to the thread pool and print out of order.</summary>
    private sealed class Progress(Action<EmbeddingProgress> report) : IProgress<EmbeddingProgress>
    {
        public void Report(EmbeddingProgress value) => report(value);
    }
}
