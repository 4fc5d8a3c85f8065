using System.Text;
using Skein.Data;
using Skein.IO;
using Skein.LabelModels;

namespace Skein.Tests.LabelModels;

public sealed class PersistenceTests
{
    private static string SavedJson(LabelModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static LabelModel LoadText(string json) => LabelModel.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Saved_json_carries_format_version_model_and_shape()
    {
        var json = SavedJson(new DawidSkene().Fit(Fixtures.Small));

        Assert.Contains("\"format\": \"skein.label-model\"", json, StringComparison.Ordinal);
        Assert.Contains("\"version\": 1", json, StringComparison.Ordinal);
        Assert.Contains("\"model\": \"dawid_skene\"", json, StringComparison.Ordinal);
        Assert.Contains("\"lfCount\": 5", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Loaded_dawid_skene_keeps_its_read_outs()
    {
        var model = new DawidSkene().Fit(Fixtures.Small);
        var loaded = Assert.IsType<DawidSkeneModel>(LoadText(SavedJson(model)));

        Assert.Equal(model.Iterations, loaded.Iterations);
        Assert.Equal(model.Converged, loaded.Converged);
        Assert.Equal(model.ClassPrior, loaded.ClassPrior);
        Assert.Equal(model.LfAccuracies, loaded.LfAccuracies);
    }

    [Theory]
    [InlineData("\"version\": 1", "\"version\": 2", "version")]
    [InlineData("\"model\": \"majority_vote\"", "\"model\": \"oracle\"", "model")]
    [InlineData("\"format\": \"skein.label-model\"", "\"format\": \"other\"", "format")]
    [InlineData("\"variant\": \"Wrench\"", "\"variant\": \"Loud\"", "variant")]
    [InlineData("\"uncoveredPrior\": [", "\"uncoveredPrior\": [0.5,", "uncoveredPrior")]
    public void Bad_files_fail_with_a_DataFormatException_naming_the_field(string find, string replace, string field)
    {
        var json = SavedJson(new MajorityVote().Fit(Fixtures.Small));
        Assert.Contains(find, json, StringComparison.Ordinal);

        var error = Assert.Throws<DataFormatException>(() => LoadText(json.Replace(find, replace, StringComparison.Ordinal)));
        Assert.Equal(field, error.Column);
    }

    [Fact]
    public void Non_json_fails_with_a_DataFormatException()
    {
        Assert.Throws<DataFormatException>(() => LoadText("not json"));
    }
}

public sealed class SyntheticVotesTests
{
    [Fact]
    public void Same_seed_gives_the_same_votes_and_gold()
    {
        var a = Fixtures.Synthetic(30_000, 3, seed: 5);
        var b = Fixtures.Synthetic(30_000, 3, seed: 5);
        var c = Fixtures.Synthetic(30_000, 3, seed: 6);

        Assert.True(a.Matrix.Votes.SequenceEqual(b.Matrix.Votes));
        Assert.Equal(a.Gold, b.Gold);
        Assert.False(a.Matrix.Votes.SequenceEqual(c.Matrix.Votes));
        Assert.Equal(5, a.Seed);
    }

    [Fact]
    public void Empirical_prior_propensity_and_accuracy_match_the_options()
    {
        double[] accuracies = [0.9, 0.6];
        double[] propensities = [0.3, 0.8];
        var data = Fixtures.Synthetic(100_000, 3, seed: 1, accuracies, propensities, prior: [0.5, 0.3, 0.2]);
        var matrix = data.Matrix;

        Assert.Equal(0.2, data.Gold.Count(y => y == 2) / 100_000.0, 0.01);
        for (int j = 0; j < 2; j++)
        {
            int voted = 0, correct = 0;
            for (int i = 0; i < matrix.RowCount; i++)
            {
                int v = matrix[i, j];
                if (v < 0)
                {
                    continue;
                }

                voted++;
                correct += v == data.Gold[i] ? 1 : 0;
            }

            Assert.Equal(propensities[j], voted / 100_000.0, 0.01);
            Assert.Equal(accuracies[j], (double)correct / voted, 0.01);
        }
    }

    [Fact]
    public void Wrong_votes_are_spread_over_the_other_classes()
    {
        var data = Fixtures.Synthetic(60_000, 3, seed: 3, accuracies: [0.0], propensities: [1.0], prior: [1.0, 0.0, 0.0]);

        var counts = new int[3];
        for (int i = 0; i < data.Matrix.RowCount; i++)
        {
            counts[data.Matrix[i, 0]]++;
        }

        Assert.Equal(0, counts[0]);
        Assert.Equal(0.5, counts[1] / 60_000.0, 0.01);
    }

    [Fact]
    public void A_missing_seed_is_picked_and_recorded()
    {
        var options = new SyntheticVotesOptions { RowCount = 100, Accuracies = [0.8], Propensities = [0.5] };
        var first = SyntheticVotes.Generate(options);
        var again = SyntheticVotes.Generate(options with { Seed = first.Seed });

        Assert.True(first.Matrix.Votes.SequenceEqual(again.Matrix.Votes));
    }

    [Fact]
    public void Bad_options_are_rejected_naming_the_option()
    {
        static string Fail(SyntheticVotesOptions o) =>
            Assert.ThrowsAny<ArgumentException>(() => SyntheticVotes.Generate(o)).Message;

        var ok = new SyntheticVotesOptions { RowCount = 10, Accuracies = [0.8, 0.7], Propensities = [0.5, 0.5], Seed = 1 };
        Assert.Contains("Accuracies[1]", Fail(ok with { Accuracies = [0.8, 1.5] }), StringComparison.Ordinal);
        Assert.Contains("Propensities", Fail(ok with { Propensities = [0.5] }), StringComparison.Ordinal);
        Assert.Contains("ClassPrior", Fail(ok with { ClassPrior = [0.5, 0.6] }), StringComparison.Ordinal);
        Assert.Contains("Cardinality", Fail(ok with { Cardinality = 1 }), StringComparison.Ordinal);
        Assert.Contains("RowCount", Fail(ok with { RowCount = -1 }), StringComparison.Ordinal);
    }
}
