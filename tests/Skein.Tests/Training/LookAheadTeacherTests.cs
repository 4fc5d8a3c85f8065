using Skein.EndModels;
using Skein.Training;
using static Skein.Tests.EndModels.EndModelFixtures;
using static Skein.Tests.Training.MeanTeacherFixtures;

namespace Skein.Tests.Training;

public sealed class LookAheadTeacherTests
{
    // No dropout and no input noise: every step is a deterministic function of the weights, the batch and the teacher.
    private static readonly MlpOptions Deterministic = new() { HiddenSizes = [8], Epochs = 4, BatchSize = 16, Dropout = 0, LearningRate = 1e-2, Seed = 3 };

    private static readonly Moons Data = MakeMoons(6, 80, 10, 0.1, 2);

    private static float[] Flatten(Mlp.Network net) => [.. net.Weights.SelectMany(w => w), .. net.Biases.SelectMany(b => b)];

    private static LookAheadTeacherOptions Options(int k, bool restore = true) => new()
    {
        Student = Deterministic, LookAheadSteps = k, RestoreOptimizerState = restore, EmaDecay = 0.9, ConfidenceThreshold = 0.6,
    };

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void The_real_step_is_one_step_from_the_snapshot_with_the_future_teachers_pseudo_labels(int k)
    {
        var lookAhead = new LookAheadTeacher(Options(k)).CreateRun(Data.X, Data.Y, Data.Pool, null);
        lookAhead.LookAheadStep(k, restoreOptimizer: true);
        Assert.Equal(k + 1, lookAhead.Session.Step);

        // Same seed, so same initial student and same batch; give it the future teacher and take one plain step.
        var single = new LookAheadTeacher(Options(0)).CreateRun(Data.X, Data.Y, Data.Pool, null);
        Assert.Equal(Flatten(single.Teacher.Net), Flatten(new LookAheadTeacher(Options(0)).CreateRun(Data.X, Data.Y, Data.Pool, null).Session.Net));
        single.Teacher.Net = lookAhead.Teacher.Net.Clone();
        single.LookAheadStep(0, restoreOptimizer: true);

        Assert.Equal(Flatten(single.Session.Net), Flatten(lookAhead.Session.Net));
        Assert.NotEqual(Flatten(single.Session.Net), Flatten(new LookAheadTeacher(Options(0)).CreateRun(Data.X, Data.Y, Data.Pool, null).Session.Net));
    }

    [Fact]
    public void Keeping_the_optimiser_state_of_the_virtual_steps_changes_the_real_step()
    {
        var restored = new LookAheadTeacher(Options(2)).CreateRun(Data.X, Data.Y, Data.Pool, null);
        var kept = new LookAheadTeacher(Options(2, restore: false)).CreateRun(Data.X, Data.Y, Data.Pool, null);
        restored.LookAheadStep(2, restoreOptimizer: true);
        kept.LookAheadStep(2, restoreOptimizer: false);

        Assert.Equal(Flatten(restored.Teacher.Net), Flatten(kept.Teacher.Net));
        Assert.NotEqual(Flatten(restored.Session.Net), Flatten(kept.Session.Net));
    }

    [Fact]
    public void Without_a_pseudo_label_weight_the_student_trains_exactly_as_a_plain_mlp()
    {
        // Virtual steps are fully undone (parameters and optimiser), and no pool means Mlp's own batching.
        var result = new LookAheadTeacher(Options(3) with { PseudoLabelWeight = 0, PseudoLabelRows = ConsistencyRows.All }).Fit(Data.X, Data.Y);
        var plain = new Mlp(Deterministic).Fit(Data.X, Data.Y);

        Assert.Equal(Flatten(plain.Network), Flatten(result.Student.Network));
        Assert.Equal(3 * result.RealSteps, result.VirtualSteps);
        Assert.NotEqual(Flatten(plain.Network), Flatten(result.Teacher.Network));
    }

    [Fact]
    public void Depth_zero_is_a_mean_teacher_with_pseudo_labels()
    {
        var student = Deterministic with { Dropout = 0.2 };
        var lookAhead = new LookAheadTeacher(Options(0) with { Student = student, InputNoise = 0.05, PseudoLabelMasking = PseudoLabelMasking.PerRow })
            .Fit(Data.X, Data.Y, Data.Pool);
        var meanTeacher = new MeanTeacher(new MeanTeacherOptions
        {
            Student = student, EmaDecay = 0.9, Consistency = TeacherConsistency.PseudoLabel, ConsistencyRows = ConsistencyRows.Pool,
            ConsistencyWeight = 1, RampFraction = 0, ConfidenceThreshold = 0.6, PseudoLabelMasking = PseudoLabelMasking.PerRow, InputNoise = 0.05,
        }).Fit(Data.X, Data.Y, Data.Pool);

        Assert.Equal(Flatten(meanTeacher.Student.Network), Flatten(lookAhead.Student.Network));
        Assert.Equal(Flatten(meanTeacher.Teacher.Network), Flatten(lookAhead.Teacher.Network));
        Assert.Equal(0, lookAhead.VirtualSteps);
        Assert.Equal(meanTeacher.History.Select(h => (h.SupervisedLoss, h.ConsistencyLoss, h.ConfidentShare)),
            lookAhead.History.Select(h => (h.SupervisedLoss, h.ConsistencyLoss, h.ConfidentShare)));
    }

    [Fact]
    public void Looking_ahead_changes_the_teacher_and_still_learns()
    {
        var moons = MakeMoons(6, 200, 400, 0.1, 2);
        var options = Options(3) with { Student = Deterministic with { Epochs = 20, HiddenSizes = [32] }, EmaDecay = 0.99 };
        var k0 = new LookAheadTeacher(options with { LookAheadSteps = 0 }).Fit(moons.X, moons.Y, moons.Pool);
        var k3 = new LookAheadTeacher(options).Fit(moons.X, moons.Y, moons.Pool);

        Assert.NotEqual(Flatten(k0.Teacher.Network), Flatten(k3.Teacher.Network));
        double accuracy = Accuracy(k3.Teacher.Predict(moons.TestX), moons.TestGold);
        Assert.True(accuracy >= 0.8, $"accuracy {accuracy}, K = 0: {Accuracy(k0.Teacher.Predict(moons.TestX), moons.TestGold)}");
        Assert.All(k3.History, h => Assert.InRange(h.ConfidentShare!.Value, 0, 1));
        Assert.True(k3.RestoredOptimizerState);
    }

    [Fact]
    public void A_seed_gives_the_same_bits()
    {
        var options = Options(2) with { Student = Deterministic with { Dropout = 0.1 }, InputNoise = 0.05 };
        var a = new LookAheadTeacher(options).Fit(Data.X, Data.Y, Data.Pool);
        var b = new LookAheadTeacher(options with { Student = options.Student with { MaxDegreeOfParallelism = 1 } }).Fit(Data.X, Data.Y, Data.Pool);

        Assert.Equal(Flatten(a.Teacher.Network), Flatten(b.Teacher.Network));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void An_ema_decay_outside_zero_one_is_rejected(double decay) =>
        Assert.Contains("EmaDecay", Assert.Throws<ArgumentException>(() => new LookAheadTeacher(new LookAheadTeacherOptions { EmaDecay = decay })).Message);

    [Fact]
    public void Other_bad_options_and_inputs_are_rejected()
    {
        Assert.Contains("LookAheadSteps",
            Assert.Throws<ArgumentException>(() => new LookAheadTeacher(new LookAheadTeacherOptions { LookAheadSteps = -1 })).Message);
        Assert.Contains("ConfidenceThreshold",
            Assert.Throws<ArgumentException>(() => new LookAheadTeacher(new LookAheadTeacherOptions { ConfidenceThreshold = 1.5 })).Message);
        Assert.Contains("PseudoLabelWeight",
            Assert.Throws<ArgumentException>(() => new LookAheadTeacher(new LookAheadTeacherOptions { PseudoLabelWeight = double.PositiveInfinity })).Message);
        Assert.Throws<ArgumentException>(() => new LookAheadTeacher().Fit(Data.X, Data.Y)); // Pool pseudo-labels without a pool.
    }
}
