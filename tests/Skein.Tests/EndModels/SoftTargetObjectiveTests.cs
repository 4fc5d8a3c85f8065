using Skein.EndModels;
using static Skein.Tests.EndModels.EndModelFixtures;

namespace Skein.Tests.EndModels;

public sealed class SoftTargetObjectiveTests
{
    private static readonly MlpOptions Options = new() { HiddenSizes = [16], Epochs = 5, BatchSize = 50, Seed = 3 };

    [Fact]
    public void An_objective_that_changes_nothing_gives_the_same_bits_as_none()
    {
        var plain = new Mlp(Options).Fit(Train.X, Train.Y);
        var hooked = new Mlp(Options).Fit(Train.X, Train.Y, null, null, new Recording());

        Assert.Equal(plain.PredictProba(Train.X).Values.ToArray(), hooked.PredictProba(Train.X).Values.ToArray());
    }

    [Fact]
    public void The_objective_sees_every_row_once_per_epoch_with_the_schedule()
    {
        var recording = new Recording();
        new Mlp(Options).Fit(Train.X, Train.Y, null, null, recording);

        int steps = 5 * (Train.X.RowCount / 50);
        Assert.Equal(steps, recording.Steps.Count);
        Assert.Equal(Enumerable.Range(0, steps).Select(i => (long)i), recording.Steps.Select(s => s.Step));
        Assert.All(recording.Steps, s => Assert.Equal(steps, s.Total));
        Assert.Equal(Train.X.RowCount, recording.Rows.Take(steps / 5 * 50).Distinct().Count());
        Assert.All(recording.ProbabilityRowSums, sum => Assert.Equal(1, sum, 1e-9));
    }

    [Fact]
    public void Flipped_targets_teach_the_flipped_labels()
    {
        var model = new Mlp(Options with { Epochs = 20 }).Fit(Train.X, Train.Y, null, null, new Flip());

        var expected = Train.Gold.Select(g => (g + 1) % 3).ToArray();
        Assert.True(Accuracy(model.Predict(Train.X), expected) > 0.95);
    }

    [Fact]
    public void Zero_weights_skip_every_step_so_fine_tuning_keeps_the_start()
    {
        var start = new Mlp(Options).Fit(Train.X, Train.Y);
        var tuned = new Mlp(Options with { Seed = 9 }).Fit(Train.X, Train.Y, null, null, new ZeroWeights(), start);

        Assert.Equal(start.PredictProba(Train.X).Values.ToArray(), tuned.PredictProba(Train.X).Values.ToArray());
    }

    [Fact]
    public void Targets_that_are_not_distributions_are_rejected()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new Mlp(Options).Fit(Train.X, Train.Y, null, null, new Broken()));
        Assert.Contains(nameof(Broken), error.Message);
    }

    [Fact]
    public void An_initial_model_of_another_shape_is_rejected()
    {
        var other = new Mlp(Options with { HiddenSizes = [8] }).Fit(Train.X, Train.Y);
        Assert.Throws<ArgumentException>(() => new Mlp(Options).Fit(Train.X, Train.Y, null, null, null, other));
    }

    private sealed class Recording : ISoftTargetObjective
    {
        public List<(long Step, long Total)> Steps { get; } = [];

        public List<int> Rows { get; } = [];

        public List<double> ProbabilityRowSums { get; } = [];

        public void Adjust(SoftTargetBatch batch)
        {
            Steps.Add((batch.Step, batch.TotalSteps));
            Rows.AddRange(batch.Rows.ToArray());
            for (int r = 0; r < batch.Count; r++)
            {
                double sum = 0;
                foreach (double p in batch.Probabilities.Slice(r * batch.Cardinality, batch.Cardinality))
                {
                    sum += p;
                }

                ProbabilityRowSums.Add(sum);
            }
        }
    }

    private sealed class Flip : ISoftTargetObjective
    {
        public void Adjust(SoftTargetBatch batch)
        {
            int k = batch.Cardinality;
            for (int r = 0; r < batch.Count; r++)
            {
                var row = batch.Targets.Slice(r * k, k);
                double last = row[k - 1];
                for (int c = k - 1; c > 0; c--)
                {
                    row[c] = row[c - 1];
                }

                row[0] = last;
            }
        }
    }

    private sealed class ZeroWeights : ISoftTargetObjective
    {
        public void Adjust(SoftTargetBatch batch) => batch.Weights.Clear();
    }

    private sealed class Broken : ISoftTargetObjective
    {
        public void Adjust(SoftTargetBatch batch) => batch.Targets[0] = 2;
    }
}
