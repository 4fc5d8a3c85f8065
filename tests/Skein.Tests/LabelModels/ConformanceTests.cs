using Skein.Data;
using Skein.Evaluation;
using Skein.LabelModels;

namespace Skein.Tests.LabelModels;

/// <summary>The checks every label model must pass (the label-model analogue of sklearn's check_estimator).</summary>
public sealed class ConformanceTests
{
    private static LabelModel Fit(string name, LabelMatrix matrix) => Fixtures.Trainers[name]().Fit(matrix);

    [Theory]
    [MemberData(nameof(Fixtures.TrainerNames), MemberType = typeof(Fixtures))]
    public void PredictProba_is_n_by_k_with_rows_that_are_distributions(string name)
    {
        var model = Fit(name, Fixtures.Small);
        var probs = model.PredictProba(Fixtures.Small);

        Assert.Equal(Fixtures.Small.RowCount, probs.RowCount);
        Assert.Equal(3, probs.Cardinality);
        Assert.Equal(3, model.Cardinality);
        Assert.Equal(5, model.LfCount);
        for (int i = 0; i < probs.RowCount; i++)
        {
            var row = probs.Row(i);
            Assert.All(row.ToArray(), p => Assert.InRange(p, 0.0, 1.0));
            Assert.Equal(1.0, row.ToArray().Sum(), 12);
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures.TrainerNames), MemberType = typeof(Fixtures))]
    public void Predict_with_lowest_class_policy_is_the_argmax(string name)
    {
        var model = Fit(name, Fixtures.Small);
        var probs = model.PredictProba(Fixtures.Small);
        var preds = model.Predict(Fixtures.Small, TieBreakPolicy.LowestClass);

        for (int i = 0; i < probs.RowCount; i++)
        {
            var row = probs.Row(i).ToArray();
            Assert.Equal(Array.IndexOf(row, row.Max()), preds[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures.TrainerNames), MemberType = typeof(Fixtures))]
    public void Predict_default_policy_abstains_exactly_on_tied_rows(string name)
    {
        var model = Fit(name, Fixtures.Small);
        var preds = model.Predict(Fixtures.Small);
        var lowest = model.Predict(Fixtures.Small, TieBreakPolicy.LowestClass);
        var probs = model.PredictProba(Fixtures.Small);

        for (int i = 0; i < preds.Length; i++)
        {
            var row = probs.Row(i).ToArray();
            int ties = row.Count(p => Math.Abs(p - row.Max()) < 1e-5);
            Assert.Equal(ties > 1 ? -1 : lowest[i], preds[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures.TrainerNames), MemberType = typeof(Fixtures))]
    public void Fit_is_deterministic(string name)
    {
        var a = Fit(name, Fixtures.Large).PredictProba(Fixtures.Large);
        var b = Fit(name, Fixtures.Large).PredictProba(Fixtures.Large);

        Assert.True(a.BitwiseEquals(b));
    }

    [Theory]
    [MemberData(nameof(Fixtures.TrainerNames), MemberType = typeof(Fixtures))]
    public void All_abstain_rows_get_one_shared_distribution(string name)
    {
        var model = Fit(name, Fixtures.Small);
        var probs = model.PredictProba(Fixtures.AllAbstain(4, 5, 3));

        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(1.0, probs.Row(i).ToArray().Sum(), 12);
            Assert.True(probs.Row(i).SequenceEqual(probs.Row(0)));
        }

        // Rows 0 and 3 of the fixture are all-abstain inside a real matrix: same answer there.
        var inMatrix = model.PredictProba(Fixtures.Small);
        Assert.True(inMatrix.Row(0).SequenceEqual(probs.Row(0)));
        Assert.True(inMatrix.Row(3).SequenceEqual(probs.Row(0)));
    }

    [Theory]
    [MemberData(nameof(Fixtures.TrainerNames), MemberType = typeof(Fixtures))]
    public void Fit_on_an_all_abstain_matrix_gives_the_prior_or_uniform(string name)
    {
        var matrix = Fixtures.AllAbstain(10, 3, 3);
        var probs = Fixtures.Trainers[name]().Fit(matrix).PredictProba(matrix);
        double[] expected = name == "mv-prior" ? [0.5, 0.3, 0.2] : [1.0 / 3, 1.0 / 3, 1.0 / 3];

        for (int i = 0; i < 10; i++)
        {
            var row = probs.Row(i).ToArray();
            Assert.All(Enumerable.Range(0, 3), c => Assert.Equal(expected[c], row[c], 15));
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures.TrainerNames), MemberType = typeof(Fixtures))]
    public void Fit_on_an_empty_matrix_throws_a_clear_ArgumentException(string name)
    {
        var empty = LabelMatrix.FromRowMajor([], LabelMatrix.DefaultNames(3), 3);

        var error = Assert.ThrowsAny<ArgumentException>(() => Fixtures.Trainers[name]().Fit(empty));
        Assert.Contains("no rows", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Fixtures.TrainerNames), MemberType = typeof(Fixtures))]
    public void PredictProba_rejects_a_matrix_of_another_shape(string name)
    {
        var model = Fit(name, Fixtures.Small);
        var wrong = Fixtures.AllAbstain(2, 4, 3);

        var error = Assert.Throws<ArgumentException>(() => model.PredictProba(wrong));
        Assert.Contains("5 LFs", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Fixtures.TrainerNames), MemberType = typeof(Fixtures))]
    public void Save_and_load_round_trip_bit_identically(string name)
    {
        var model = Fit(name, Fixtures.Small);
        using var first = new MemoryStream();
        model.Save(first);
        first.Position = 0;
        var loaded = LabelModel.Load(first);

        Assert.Equal(model.GetType(), loaded.GetType());
        Assert.Equal(model.ModelName, loaded.ModelName);
        Assert.True(model.PredictProba(Fixtures.Small).BitwiseEquals(loaded.PredictProba(Fixtures.Small)));
        using var second = new MemoryStream();
        loaded.Save(second);
        Assert.Equal(first.ToArray(), second.ToArray());
    }

    [Theory]
    [MemberData(nameof(Fixtures.TrainerNames), MemberType = typeof(Fixtures))]
    public void Concurrent_PredictProba_gives_identical_results(string name)
    {
        var model = Fit(name, Fixtures.Small);
        var expected = model.PredictProba(Fixtures.Large);
        var results = new ProbabilisticLabels[6];

        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 6 },
            t => results[t] = model.PredictProba(Fixtures.Large));

        Assert.All(results, r => Assert.True(expected.BitwiseEquals(r)));
    }

    [Theory]
    [MemberData(nameof(Fixtures.TrainerNames), MemberType = typeof(Fixtures))]
    public void Random_tie_break_matches_probs_to_preds_on_the_model_output(string name)
    {
        var model = Fit(name, Fixtures.Small);

        Assert.Equal(
            TieBreaking.ProbsToPreds(model.PredictProba(Fixtures.Small), TieBreakPolicy.Random),
            model.Predict(Fixtures.Small, TieBreakPolicy.Random));
    }
}
