using System.Text;
using Skein.Evaluation;
using Skein.IO;
using Skein.LabelModels;

namespace Skein.Tests.Evaluation;

/// <summary>
/// The WRENCH protocol on the in-repo fixtures (tests/data/wrench, 150-row subsets of the shared WRENCH copies).
/// Expected scores come from tests/data/wrench/wrench_reference.py, a plain-Python transcription of WRENCH's
/// MV/WMV/DS, _init_balance and Snorkel's probs_to_preds.
/// </summary>
public sealed class WrenchProtocolTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "data", "wrench", name);

    private static WrenchResult Run(string set, LabelModelSpec spec, LabeledIdsPolicy policy = LabeledIdsPolicy.Auto) =>
        WrenchProtocol.Run(Fixture(set), new WrenchProtocolOptions { Model = spec, LabeledIds = policy, Seed = 0 });

    [Theory]
    // python3 wrench_reference.py DIR MODEL METRIC drop|keep (auto: drop for trec and youtube, keep for sms)
    [InlineData("sms", "mv", 16.216216216216218, 23.880597014925375)]
    [InlineData("sms", "wmv", 16.666666666666668, 23.880597014925375)]
    [InlineData("sms", "ds", 0.0, 60.0)]
    [InlineData("trec", "mv", 52.666666666666664, 55.333333333333336)]
    [InlineData("trec", "wmv", 50.0, 53.333333333333336)]
    [InlineData("trec", "ds", 52.0, 51.333333333333336)]
    [InlineData("youtube", "mv", null, 79.33333333333333)]
    [InlineData("youtube", "wmv", null, 79.33333333333333)]
    [InlineData("youtube", "ds", null, 60.666666666666664)]
    public void Scores_match_the_python_transcription_of_wrench(string set, string model, double? valid, double test)
    {
        var result = Run(set, LabelModelCatalog.Get(model));

        Assert.Equal(set, result.Dataset);
        Assert.Equal(model, result.LabelModel);
        Assert.Equal(set == "sms" ? WrenchMetric.F1 : WrenchMetric.Accuracy, result.Metric);
        if (valid is null)
        {
            Assert.Null(result.Valid);
        }
        else
        {
            Assert.Equal(valid.Value, result.Valid!.Value, 1e-9);
        }

        Assert.Equal(test, result.Test!.Value, 1e-9);
        Assert.Empty(result.SearchPoints);
        Assert.Empty(result.HyperParameters);
    }

    [Fact]
    public void Auto_drops_labeled_ids_for_trec_and_youtube_but_keeps_them_for_sms()
    {
        var trec = Run("trec", LabelModelCatalog.MajorityVote);
        var youtube = Run("youtube", LabelModelCatalog.MajorityVote);
        var sms = Run("sms", LabelModelCatalog.MajorityVote);

        Assert.Equal((82, 68), (trec.TrainRows, trec.DroppedLabeledRows));
        Assert.Equal((100, 50), (youtube.TrainRows, youtube.DroppedLabeledRows));
        Assert.Equal((150, 0), (sms.TrainRows, sms.DroppedLabeledRows));
    }

    [Fact]
    public void Explicit_labeled_ids_policy_overrides_the_convention()
    {
        // DS learns from train, so the train rows matter (reference: keep 49.33/54.67 on trec, drop 0/22.22 on sms).
        var trecKeep = Run("trec", LabelModelCatalog.DawidSkene, LabeledIdsPolicy.Keep);
        var smsDrop = Run("sms", LabelModelCatalog.DawidSkene, LabeledIdsPolicy.Drop);

        Assert.Equal(150, trecKeep.TrainRows);
        Assert.Equal(49.333333333333336, trecKeep.Valid!.Value, 1e-9);
        Assert.Equal(54.666666666666664, trecKeep.Test!.Value, 1e-9);
        Assert.Equal((81, 69), (smsDrop.TrainRows, smsDrop.DroppedLabeledRows));
        Assert.Equal(22.22222222222222, smsDrop.Test!.Value, 1e-9);
    }

    [Fact]
    public void Class_balance_is_wrench_plus_one_from_valid_labels()
    {
        var result = Run("trec", LabelModelCatalog.WeightedMajorityVote);

        // trec fixture valid: 36, 29, 36, 2, 25, 22 of 150 → (count + 1) / 150, not renormalised.
        Assert.Equal(ClassBalanceSource.ValidLabels, result.ClassBalanceSource);
        Assert.Equal(new[] { 37 / 150.0, 30 / 150.0, 37 / 150.0, 3 / 150.0, 26 / 150.0, 23 / 150.0 }, result.ClassBalance);
    }

    [Fact]
    public void Without_valid_json_the_balance_is_uniform_and_valid_is_null()
    {
        var result = Run("youtube", LabelModelCatalog.WeightedMajorityVote);

        Assert.Equal(ClassBalanceSource.Uniform, result.ClassBalanceSource);
        Assert.Equal(new[] { 0.5, 0.5 }, result.ClassBalance);
        Assert.Null(result.Valid);
        Assert.NotNull(result.Test);
    }

    [Fact]
    public void Search_picks_the_best_valid_point_and_reports_every_point_in_grid_order()
    {
        var spec = new LabelModelSpec("ds-iter", "DawidSkene", false, 1, false, [new HyperParameterAxis("max_iterations", [1, 2, 10_000])],
            s => new DawidSkene(new DawidSkeneOptions { MaxIterations = (int)s.Get("max_iterations", 10_000) }));

        var result = WrenchProtocol.Run(Fixture("trec"), new WrenchProtocolOptions { Model = spec, Search = true });

        Assert.Equal([1.0, 2.0, 10_000.0], result.SearchPoints.Select(p => p.HyperParameters.Single().Value));
        double best = result.SearchPoints.Max(p => p.Valid);
        var chosen = result.SearchPoints.First(p => p.Valid == best);
        Assert.Equal(best, result.Valid);
        Assert.Equal(chosen.HyperParameters, result.HyperParameters);

        // The reported test score is the chosen model's, i.e. that of a plain run with the chosen setting.
        var single = new LabelModelSpec("ds", "DawidSkene", false, 1, false, [],
            _ => new DawidSkene(new DawidSkeneOptions { MaxIterations = (int)chosen.HyperParameters[0].Value }));
        Assert.Equal(Run("trec", single).Test, result.Test);
    }

    [Fact]
    public void Search_ties_keep_the_first_grid_point()
    {
        var spec = LabelModelCatalog.MajorityVote with { SearchSpace = [new HyperParameterAxis("unused", [3, 1, 2])] };

        var result = WrenchProtocol.Run(Fixture("sms"), new WrenchProtocolOptions { Model = spec, Search = true });

        Assert.Equal(3, result.SearchPoints.Count);
        Assert.Equal(new HyperParameterValue("unused", 3), result.HyperParameters.Single());
    }

    [Fact]
    public void Search_of_a_model_without_a_search_space_fits_the_defaults_once()
    {
        var result = WrenchProtocol.Run(Fixture("sms"), new WrenchProtocolOptions { Model = LabelModelCatalog.MajorityVote, Search = true });

        Assert.Single(result.SearchPoints);
        Assert.Empty(result.HyperParameters);
        Assert.Equal(16.216216216216218, result.Valid!.Value, 1e-9);
    }

    [Fact]
    public void Grid_is_the_cartesian_product_with_the_last_axis_fastest()
    {
        var metal = LabelModelCatalog.MatrixCompletion.Grid();
        var dp = LabelModelCatalog.DataProgramming.Grid();

        Assert.Equal(125, metal.Count);
        Assert.Equal(5, dp.Count); // the exact EM fit has only its L2 pull to search
        Assert.Equal("lr=1E-05 l2=1E-05 n_epochs=5", string.Join(" ", metal[0]));
        Assert.Equal("lr=1E-05 l2=1E-05 n_epochs=10", string.Join(" ", metal[1]));
        Assert.Equal("lr=0.1 l2=0.1 n_epochs=200", string.Join(" ", metal[^1]));
        Assert.Single(LabelModelCatalog.MajorityVote.Grid());
    }

    [Fact]
    public void Catalog_knows_and_builds_six_models()
    {
        Assert.Equal(["mv", "wmv", "ds", "dp", "metal", "fs"], LabelModelCatalog.Names);
        Assert.All(LabelModelCatalog.All, s => Assert.True(s.IsAvailable, s.Name));
        Assert.Same(LabelModelCatalog.DawidSkene, LabelModelCatalog.Get("DS"));
        Assert.Throws<ArgumentException>(() => LabelModelCatalog.Get("snorkel"));
        Assert.Equal(3, LabelModelCatalog.MatrixCompletion.MinLfCount);
        Assert.Equal(3, LabelModelCatalog.Triplet.MinLfCount);
    }

    [Theory]
    [InlineData("dp")]
    [InlineData("metal")]
    [InlineData("fs")]
    public void Generative_models_beat_chance_on_the_trec_fixture(string name)
    {
        // Six classes: chance is about 17%; majority vote scores 52.7 on this fixture's valid split.
        var result = Run("trec", LabelModelCatalog.Get(name));
        Assert.InRange(result.Valid!.Value, 30, 100);
    }

    [Theory]
    [InlineData("sms", WrenchMetric.F1)]
    [InlineData("spouse", WrenchMetric.F1)]
    [InlineData("basketball", WrenchMetric.F1)]
    [InlineData("youtube", WrenchMetric.Accuracy)]
    [InlineData("chemprot", WrenchMetric.Accuracy)]
    [InlineData("something_else", WrenchMetric.Accuracy)]
    public void Default_metric_follows_wrench_tables(string dataset, WrenchMetric metric) =>
        Assert.Equal(metric, WrenchProtocol.DefaultMetric(dataset));

    [Theory]
    [InlineData("/data/wrench_sms", "sms")]
    [InlineData("/data/wrench-trec/", "trec")]
    [InlineData("/data/youtube", "youtube")]
    public void Dataset_name_is_the_folder_without_the_wrench_prefix(string directory, string name) =>
        Assert.Equal(name, WrenchProtocol.DatasetNameOf(directory));

    [Fact]
    public void Score_counts_every_row_and_breaks_ties_by_sha1()
    {
        // Rows 0 and 1 tie; SHA1("0") mod 2 = 0 and SHA1("1") mod 2 = 1 (Snorkel's rule), row 2 is class 0.
        var probs = Skein.Data.ProbabilisticLabels.FromRowMajor([0.5, 0.5, 0.5, 0.5, 0.9, 0.1], 2);
        Assert.Equal([0, 1], new[] { TieBreaking.SnorkelHashIndex(0, 2), TieBreaking.SnorkelHashIndex(1, 2) });
        Assert.Equal(100.0, WrenchProtocol.Score([0, 1, 0], probs, WrenchMetric.Accuracy));
        Assert.Equal(100.0, WrenchProtocol.Score([0, 1, 0], probs, WrenchMetric.F1));
        Assert.Equal(100.0 / 3, WrenchProtocol.Score([1, 0, 0], probs, WrenchMetric.Accuracy), 1e-12);
    }
}

/// <summary>Bad WRENCH folders: each fails before any fit with an error that names the file.</summary>
public sealed class WrenchProtocolErrorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "skein-wrench-" + Guid.NewGuid().ToString("N"));

    public WrenchProtocolErrorTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Writes a split; each row is (label, votes).</summary>
    private void Split(string file, params (int Label, int[] Votes)[] rows)
    {
        var text = new StringBuilder("{");
        for (int i = 0; i < rows.Length; i++)
        {
            text.Append(i == 0 ? "" : ",").Append($"\"{i}\": {{\"label\": {rows[i].Label}, \"weak_labels\": [{string.Join(",", rows[i].Votes)}]}}");
        }

        File.WriteAllText(Path.Combine(_dir, file), text.Append('}').ToString());
    }

    private void Good()
    {
        File.WriteAllText(Path.Combine(_dir, "label.json"), """{"0": "a", "1": "b"}""");
        Split("train.json", (0, [0, 0, -1]), (1, [1, 1, 1]), (1, [-1, 1, 0]));
        Split("valid.json", (0, [0, -1, -1]), (1, [1, 1, -1]));
    }

    private WrenchResult Run(LabelModelSpec? spec = null, bool search = false, LabeledIdsPolicy policy = LabeledIdsPolicy.Auto, WrenchMetric? metric = null) =>
        WrenchProtocol.Run(_dir, new WrenchProtocolOptions
        {
            Model = spec ?? LabelModelCatalog.MajorityVote,
            Search = search,
            LabeledIds = policy,
            Metric = metric,
        });

    private T Fails<T>(Func<WrenchResult> run, params string[] mentions)
        where T : Exception
    {
        var e = Assert.Throws<T>(() => run());
        foreach (var m in mentions)
        {
            Assert.Contains(m, e.Message, StringComparison.Ordinal);
        }

        return e;
    }

    [Fact]
    public void Good_folder_runs()
    {
        Good();
        Assert.Equal(100.0, Run().Valid);
    }

    [Fact]
    public void Missing_directory() =>
        Assert.Throws<DataFormatException>(() => WrenchProtocol.Run(Path.Combine(_dir, "nope"),
            new WrenchProtocolOptions { Model = LabelModelCatalog.MajorityVote }));

    [Fact]
    public void Missing_train_json()
    {
        Good();
        File.Delete(Path.Combine(_dir, "train.json"));
        Fails<DataFormatException>(() => Run(), "train.json", "not found");
    }

    [Fact]
    public void Valid_without_a_class()
    {
        Good();
        Split("valid.json", (1, [1, -1, -1]), (1, [1, 1, -1]));
        Fails<DataFormatException>(() => Run(), "valid.json", "class 0 (a)");
    }

    [Fact]
    public void Mismatched_lf_counts_between_splits()
    {
        Good();
        Split("test.json", (0, [0, 0]), (1, [1, 1]));
        Fails<DataFormatException>(() => Run(), "test.json", "2 weak labels", "3");
    }

    [Fact]
    public void Unlabeled_rows_in_a_scored_split()
    {
        Good();
        Split("valid.json", (0, [0, 0, 0]), (-1, [1, 1, 1]), (1, [1, 1, 1]));
        Fails<DataFormatException>(() => Run(), "valid.json", "label -1");
    }

    [Fact]
    public void Search_without_valid_json()
    {
        Good();
        File.Delete(Path.Combine(_dir, "valid.json"));
        Assert.Null(Run().Valid);
        Fails<DataFormatException>(() => Run(search: true), "valid.json", "valid only");
    }

    [Fact]
    public void Too_few_lfs_for_a_model_that_needs_three()
    {
        File.WriteAllText(Path.Combine(_dir, "label.json"), """{"0": "a", "1": "b"}""");
        Split("train.json", (0, [0, 0]), (1, [1, 1]));
        Split("valid.json", (0, [0, 0]), (1, [1, 1]));
        var needsThree = LabelModelCatalog.MajorityVote with { MinLfCount = 3 };

        Fails<ArgumentException>(() => Run(needsThree), "at least 3 LFs", "has 2");

        // The LF check comes first, so it stays pinned once metal and fs are wired in.
        Fails<ArgumentException>(() => Run(LabelModelCatalog.MatrixCompletion), "at least 3 LFs");
    }

    [Fact]
    public void F1_on_a_multiclass_set()
    {
        File.WriteAllText(Path.Combine(_dir, "label.json"), """{"0": "a", "1": "b", "2": "c"}""");
        Split("train.json", (0, [0, 2, 1]), (1, [1, 1, 1]));
        Split("valid.json", (0, [0, 0, 0]), (1, [1, 1, 1]), (2, [2, 2, 2]));
        Fails<ArgumentException>(() => Run(metric: WrenchMetric.F1), "3 classes");
    }

    [Fact]
    public void Labeled_id_that_is_not_in_train()
    {
        Good();
        File.WriteAllText(Path.Combine(_dir, "labeled_ids.json"), """{"labeled_ids": ["2", "7"]}""");
        Fails<DataFormatException>(() => Run(policy: LabeledIdsPolicy.Drop), "labeled_ids.json", "\"7\"");
    }

    [Fact]
    public void Drop_without_labeled_ids_json()
    {
        Good();
        Fails<DataFormatException>(() => Run(policy: LabeledIdsPolicy.Drop), "labeled_ids.json", "not found");
    }

    [Fact]
    public void Labeled_ids_as_integers_are_dropped()
    {
        Good();
        File.WriteAllText(Path.Combine(_dir, "labeled_ids.json"), """{"labeled_ids": [2]}""");
        var result = Run(policy: LabeledIdsPolicy.Drop);
        Assert.Equal((2, 1), (result.TrainRows, result.DroppedLabeledRows));
    }

    [Fact]
    public void Splits_without_label_json_share_the_largest_cardinality()
    {
        // Train only shows classes 0-1, valid shows class 2: all splits get k = 3.
        Split("train.json", (0, [0, 0, -1]), (1, [1, 1, 1]));
        Split("valid.json", (0, [0, -1, -1]), (1, [1, 1, -1]), (2, [2, -1, -1]));
        var result = Run();
        Assert.Equal(3, result.Cardinality);
    }
}
