using Skein.Data;
using Skein.EndModels;
using Skein.Training;
using static Skein.Tests.EndModels.EndModelFixtures;

namespace Skein.Tests.Training;

public sealed class DistillationTests
{
    private static readonly MlpOptions Student = new() { HiddenSizes = [16], Epochs = 8, BatchSize = 50, Seed = 4 };

    private static float[] Flatten(Mlp.Network net) => [.. net.Weights.SelectMany(w => w), .. net.Biases.SelectMany(b => b)];

    private static double Entropy(ReadOnlySpan<double> q)
    {
        double h = 0;
        foreach (double v in q)
        {
            h -= v > 0 ? v * Math.Log(v) : 0;
        }

        return h;
    }

    [Fact]
    public void A_temperature_above_one_raises_the_targets_entropy_and_below_one_lowers_it()
    {
        var teacher = ProbabilisticLabels.FromRowMajor([0.7, 0.2, 0.1, 0.5, 0.5, 0, 0.98, 0.01, 0.01], 3);
        var warm = Distillation.Soften(teacher, 3);
        var cold = Distillation.Soften(teacher, 0.5);
        var same = Distillation.Soften(teacher, 1);

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(teacher.Row(i).ToArray(), same.Row(i).ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
            Assert.True(Entropy(warm.Row(i)) >= Entropy(teacher.Row(i)) - 1e-12);
            Assert.True(Entropy(cold.Row(i)) <= Entropy(teacher.Row(i)) + 1e-12);
            Assert.Equal(teacher.ArgMax()[i], warm.ArgMax()[i]);
        }

        Assert.True(Entropy(warm.Row(0)) > Entropy(teacher.Row(0)) + 0.1);
        Assert.Equal(0, warm[1, 2]); // A zero stays zero.
        Assert.Equal(Math.Pow(0.7, 1 / 3.0) / (Math.Pow(0.7, 1 / 3.0) + Math.Pow(0.2, 1 / 3.0) + Math.Pow(0.1, 1 / 3.0)), warm[0, 0], 12);
    }

    [Theory]
    [InlineData(DistillationSchedule.Constant, 0.0, 0.6)]
    [InlineData(DistillationSchedule.Constant, 0.9, 0.6)]
    [InlineData(DistillationSchedule.ConstantThenOff, 0.39, 0.6)]
    [InlineData(DistillationSchedule.ConstantThenOff, 0.4, 0.0)]
    [InlineData(DistillationSchedule.ConstantThenOff, 0.9, 0.0)]
    [InlineData(DistillationSchedule.LinearDecay, 0.0, 0.6)]
    [InlineData(DistillationSchedule.LinearDecay, 0.2, 0.3)]
    [InlineData(DistillationSchedule.LinearDecay, 0.4, 0.0)]
    [InlineData(DistillationSchedule.LinearDecay, 0.8, 0.0)]
    public void The_schedules_give_omega_at_a_progress(DistillationSchedule schedule, double progress, double expected)
    {
        var trainer = new Distillation(new DistillationOptions { Schedule = schedule, KdWeight = 0.6, KdFraction = 0.4 });
        Assert.Equal(expected, trainer.KdWeightAt(progress), 12);
    }

    [Fact]
    public void Constant_then_off_stops_distilling_after_its_share_of_steps()
    {
        var teacher = Train.Y;
        var result = new Distillation(new DistillationOptions { Student = Student, Schedule = DistillationSchedule.ConstantThenOff, KdFraction = 0.25 })
            .Fit(Train.X, teacher, Train.Gold);

        int total = 8 * 12; // 600 rows / 50 per batch.
        Assert.Equal(total, result.Steps);
        Assert.Equal(total / 4, result.DistillationSteps);
        Assert.Equal([0.5, 0.5, 0, 0, 0, 0, 0, 0], result.History.Select(h => h.KdWeight));
        Assert.All(result.History.Skip(2), h => Assert.Equal(0, h.DistillationLoss));
        Assert.Equal(DistillationSchedule.ConstantThenOff, result.Schedule);
    }

    [Fact]
    public void Without_distillation_the_student_trains_bit_for_bit_as_mlp_on_gold()
    {
        var result = new Distillation(new DistillationOptions { Student = Student with { Dropout = 0.2 }, KdWeight = 0, Temperature = 3 })
            .Fit(Train.X, Train.Y, Train.Gold);
        var plain = new Mlp(Student with { Dropout = 0.2 }).Fit(Train.X, OneHot(Train.Gold, 3));

        Assert.Equal(Flatten(plain.Network), Flatten(result.Model.Network));
        Assert.Equal(0, result.DistillationSteps);
    }

    [Fact]
    public void Pure_distillation_at_temperature_one_trains_as_mlp_on_the_teacher()
    {
        // ∂/∂z of KL(q ‖ p) is p − q, the soft cross-entropy's gradient: same steps up to float rounding.
        var result = new Distillation(new DistillationOptions { Student = Student, KdWeight = 1, Temperature = 1 }).Fit(Train.X, Train.Y);
        var plain = new Mlp(Student).Fit(Train.X, Train.Y);

        var a = plain.PredictProba(Train.X).Values.ToArray();
        var b = result.Model.PredictProba(Train.X).Values.ToArray();
        Assert.True(a.Zip(b).Max(p => Math.Abs(p.First - p.Second)) < 1e-4);
    }

    [Fact]
    public void A_hotter_temperature_transfers_the_teachers_soft_structure()
    {
        // The teacher puts 0.8 on the true class and 0.1 elsewhere; a student distilled at T = 4 matches those
        // probabilities at least as closely (in KL) as one distilled at T = 1 when both see no gold.
        var cool = new Distillation(new DistillationOptions { Student = Student, KdWeight = 1, Temperature = 1 }).Fit(Train.X, Train.Y);
        var hot = new Distillation(new DistillationOptions { Student = Student, KdWeight = 1, Temperature = 4 }).Fit(Train.X, Train.Y);

        Assert.True(Accuracy(hot.Model.Predict(Train.X), Train.Gold) > 0.95);
        Assert.True(Accuracy(cool.Model.Predict(Train.X), Train.Gold) > 0.95);
    }

    [Fact]
    public void Salt_selection_keeps_the_hardest_rows_the_teacher_still_ranks_right()
    {
        var teacher = ProbabilisticLabels.FromRowMajor(
        [
            0.9, 0.05, 0.05, // 0: correct, easy (loss 0.105)
            0.5, 0.3, 0.2,   // 1: correct, hard (loss 0.693)
            0.2, 0.5, 0.3,   // 2: gold 0 ranked third: not learnable with top-2
            0.4, 0.35, 0.25, // 3: gold 1 ranked second (loss 1.05)
            0.6, 0.3, 0.1,   // 4: no gold
            0.34, 0.33, 0.33, // 5: correct, hardest of the correct ones (loss 1.08)
        ], 3);
        int[] gold = [0, 0, 0, 1, -1, 0];

        var top1 = Distillation.Statistics(teacher, gold, new SaltSelection { TopK = 1, Fraction = 0.5 });
        Assert.Equal([true, true, false, false, false, true], top1.GoldInTopK);
        Assert.Equal([false, true, false, false, false, true], top1.Selected); // ⌈0.5·3⌉ = 2 of rows 0, 1, 5.
        Assert.Equal([0, 0, 2, 1, -1, 0], top1.GoldRank);
        Assert.Equal(-Math.Log(0.5), top1.TeacherLoss[1], 12);
        Assert.Equal(0.35 - 0.4, top1.Margin[3], 12);
        Assert.True(double.IsNaN(top1.TeacherLoss[4]));

        var top2 = Distillation.Statistics(teacher, gold, new SaltSelection { TopK = 2, Fraction = 0.5 });
        Assert.Equal([false, false, false, true, false, true], top2.Selected); // Rows 5 and 3 have the highest losses of 0, 1, 3, 5.
        Assert.Equal(2, top2.SelectedCount);
    }

    [Fact]
    public void With_a_selection_only_the_selected_rows_are_distilled()
    {
        var gold = Train.Gold.Select((g, i) => i % 3 == 0 ? -1 : g).ToArray();
        var selection = new SaltSelection { Fraction = 0.1 };
        var result = new Distillation(new DistillationOptions { Student = Student, Selection = selection }).Fit(Train.X, Train.Y, gold);

        Assert.NotNull(result.Statistics);
        int learnable = gold.Count(g => g >= 0);
        Assert.Equal((int)Math.Ceiling(0.1 * learnable), result.Statistics.SelectedCount);
        Assert.All(Enumerable.Range(0, gold.Length).Where(i => gold[i] < 0), i => Assert.False(result.Statistics.Selected[i]));
        Assert.True(Accuracy(result.Model.Predict(Train.X), Train.Gold) > 0.9);
    }

    [Fact]
    public void A_seed_gives_the_same_bits_on_any_number_of_threads()
    {
        var options = new DistillationOptions { Student = Student with { Dropout = 0.2 }, Schedule = DistillationSchedule.LinearDecay };
        var a = new Distillation(options).Fit(Train.X, Train.Y, Train.Gold);
        var b = new Distillation(options with { Student = options.Student with { MaxDegreeOfParallelism = 1 } }).Fit(Train.X, Train.Y, Train.Gold);
        var c = new Distillation(options with { Student = options.Student with { Seed = 99 } }).Fit(Train.X, Train.Y, Train.Gold);

        Assert.Equal(Flatten(a.Model.Network), Flatten(b.Model.Network));
        Assert.NotEqual(Flatten(a.Model.Network), Flatten(c.Model.Network));
    }

    [Fact]
    public void Bad_options_and_inputs_are_rejected()
    {
        Assert.Contains("Temperature", Assert.Throws<ArgumentException>(() => new Distillation(new DistillationOptions { Temperature = 0 })).Message);
        Assert.Contains("KdWeight", Assert.Throws<ArgumentException>(() => new Distillation(new DistillationOptions { KdWeight = 1.5 })).Message);
        Assert.Contains("KdFraction", Assert.Throws<ArgumentException>(() => new Distillation(new DistillationOptions { KdFraction = 0 })).Message);
        Assert.Contains("Selection.TopK",
            Assert.Throws<ArgumentException>(() => new Distillation(new DistillationOptions { Selection = new() { TopK = 0 } })).Message);

        var trainer = new Distillation(new DistillationOptions { Student = Student, Selection = new() });
        Assert.Throws<ArgumentException>(() => trainer.Fit(Train.X, Train.Y)); // A selection needs gold.
        Assert.Throws<ArgumentException>(() => new Distillation(new DistillationOptions { Schedule = DistillationSchedule.ConstantThenOff }).Fit(Train.X, Train.Y));
        Assert.Throws<ArgumentException>(() => new Distillation().Fit(Train.X, Train.Y, [.. Train.Gold.Select(_ => 3)]));
        Assert.Throws<ArgumentException>(() => new Distillation().Fit(Train.X, Train.Y, [0, 1]));
    }
}
