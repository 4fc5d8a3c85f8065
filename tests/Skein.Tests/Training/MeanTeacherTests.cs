using Skein.EndModels;
using Skein.Features;
using Skein.Training;
using static Skein.Tests.EndModels.EndModelFixtures;
using static Skein.Tests.Training.MeanTeacherFixtures;

namespace Skein.Tests.Training;

public sealed class MeanTeacherTests
{
    private static readonly MlpOptions Small = new() { HiddenSizes = [8], Epochs = 3, BatchSize = 16, Seed = 5 };

    private static Mlp.Network RandomNetwork(int seed) => Mlp.Network.Initialise([4, 6, 3], Activation.Relu, new Random(seed));

    private static float[] Flatten(Mlp.Network net) => [.. net.Weights.SelectMany(w => w), .. net.Biases.SelectMany(b => b)];

    [Fact]
    public void An_ema_update_is_alpha_old_plus_one_minus_alpha_new()
    {
        var old = RandomNetwork(1);
        var student = RandomNetwork(2);
        var teacher = new EmaTeacher(old, 0.9, warmup: false);
        teacher.Update(student);

        var expected = Flatten(old).Zip(Flatten(student), (a, b) => (0.9 * a) + (0.1 * b)).ToArray();
        var actual = Flatten(teacher.Net);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-6);
        }

        Assert.Equal(0.9, teacher.LastDecay);
        Assert.NotEqual(Flatten(old), actual);
    }

    [Fact]
    public void The_warm_up_copies_first_then_averages_until_the_cap()
    {
        Assert.Equal(0, EmaTeacher.DecayAt(0, 0.99, warmup: true));
        Assert.Equal(0.5, EmaTeacher.DecayAt(1, 0.99, warmup: true));
        Assert.Equal(0.9, EmaTeacher.DecayAt(9, 0.99, warmup: true), 12);
        Assert.Equal(0.99, EmaTeacher.DecayAt(1000, 0.99, warmup: true));
        Assert.Equal(0.99, EmaTeacher.DecayAt(0, 0.99, warmup: false));

        // t = 0: α = 0, so the teacher becomes an exact copy of the student.
        var teacher = new EmaTeacher(RandomNetwork(1), 0.99, warmup: true);
        var student = RandomNetwork(2);
        teacher.Update(student);
        Assert.Equal(Flatten(student), Flatten(teacher.Net));
    }

    [Fact]
    public void After_one_step_the_teacher_blends_the_initial_and_the_stepped_student()
    {
        var x = Train.X.SelectRows([.. Enumerable.Range(0, 40)]);
        var y = OneHot([.. Train.Gold.Take(40)], 3);
        var student = Small with { Epochs = 1, BatchSize = 64 };
        var warm = new MeanTeacher(new MeanTeacherOptions { Student = student }).Fit(x, y);
        var cold = new MeanTeacher(new MeanTeacherOptions { Student = student, EmaWarmup = false, EmaDecay = 0.7 }).Fit(x, y);

        Assert.Equal(1, warm.Steps);
        Assert.Equal(Flatten(warm.Student.Network), Flatten(warm.Teacher.Network));
        var initial = Mlp.Network.Initialise([5, 8, 3], Activation.Relu, new Random(5));
        var expected = Flatten(initial).Zip(Flatten(cold.Student.Network), (a, b) => (0.7 * a) + (0.3 * b)).ToArray();
        var actual = Flatten(cold.Teacher.Network);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-6);
        }

        Assert.Equal(0.7, cold.History[0].EmaDecay);
        Assert.Equal(0, warm.History[0].EmaDecay);
    }

    [Theory]
    [InlineData(TeacherConsistency.MeanSquaredError, PseudoLabelMasking.ConfidentShare)]
    [InlineData(TeacherConsistency.CrossEntropy, PseudoLabelMasking.ConfidentShare)]
    [InlineData(TeacherConsistency.PseudoLabel, PseudoLabelMasking.PerRow)]
    [InlineData(TeacherConsistency.PseudoLabel, PseudoLabelMasking.ConfidentShare)]
    public void The_consistency_gradient_matches_finite_differences(TeacherConsistency kind, PseudoLabelMasking weighting)
    {
        const int rows = 5, k = 3;
        const double weight = 2.5;
        var random = new Random(7);
        float[] z = [.. Enumerable.Range(0, rows * k).Select(_ => (float)((random.NextDouble() * 4) - 2))];
        var q = new double[rows * k];
        for (int r = 0; r < rows; r++)
        {
            // Rows 0 and 1 confident (≥ τ = 0.9), the rest not.
            double[] raw = r < 2 ? [0.95, 0.03, 0.02] : [.. Enumerable.Range(0, k).Select(_ => 0.1 + random.NextDouble())];
            double sum = raw.Sum();
            for (int c = 0; c < k; c++)
            {
                q[(r * k) + c] = raw[c] / sum;
            }
        }

        var settings = new TeacherStudentSettings(Small, 0.99, true, kind, ConsistencyRows.All, weight, 0, 0, 0.9, weighting, null);
        var grad = new double[rows * k];
        (double loss, double share) = TeacherStudentRun.ConsistencyTerm(settings, z, q, k, weight, grad);

        Assert.Equal(Reference([.. z.Select(v => (double)v)]), loss, 1e-9);
        if (kind == TeacherConsistency.PseudoLabel)
        {
            Assert.Equal(0.4, share, 12);
        }

        const double h = 1e-6;
        for (int i = 0; i < z.Length; i++)
        {
            double[] plus = [.. z.Select(v => (double)v)], minus = [.. plus];
            plus[i] += h;
            minus[i] -= h;
            double fd = weight * (Reference(plus) - Reference(minus)) / (2 * h);
            Assert.True(Math.Abs(fd - grad[i]) < 1e-7 + (1e-5 * Math.Abs(fd)), $"logit {i}: finite difference {fd}, analytic {grad[i]}");
        }

        // An independent float64 transcription of the definitions.
        double Reference(double[] logits)
        {
            double total = 0;
            for (int r = 0; r < rows; r++)
            {
                var zr = logits.AsSpan(r * k, k).ToArray();
                double max = zr.Max(), norm = zr.Sum(v => Math.Exp(v - max));
                var p = zr.Select(v => Math.Exp(v - max) / norm).ToArray();
                var qr = q.AsSpan(r * k, k).ToArray();
                int label = Array.IndexOf(qr, qr.Max());
                double m = weighting == PseudoLabelMasking.PerRow ? (qr.Max() >= 0.9 ? 1 : 0) : 0.4;
                total += kind switch
                {
                    TeacherConsistency.MeanSquaredError => p.Zip(qr, (a, b) => (a - b) * (a - b)).Sum() / k,
                    TeacherConsistency.CrossEntropy => qr.Zip(p, (a, b) => a * Math.Log(a / b)).Sum(),
                    _ => -m * Math.Log(p[label]),
                };
            }

            return total / rows;
        }
    }

    [Fact]
    public void With_few_labels_and_a_large_pool_the_teacher_beats_the_supervised_student()
    {
        // Two moons, 8 labels, 600 pool rows; averaged over five data/initialisation seeds. Both take the same number of
        // steps (10 per epoch: 600 pool rows / 64); the supervised baseline trains on the labels alone.
        double gain = 0;
        var seeds = new[] { 1, 2, 3, 4, 5 };
        foreach (int seed in seeds)
        {
            var m = MakeMoons(4, 600, 1000, 0.1, seed);
            var student = new MlpOptions { HiddenSizes = [32], Epochs = 30, BatchSize = 8, LearningRate = 1e-2, Dropout = 0.2, Seed = seed };
            var supervised = new Mlp(student with { Epochs = 30 * 10 }).Fit(m.X, m.Y);
            var meanTeacher = new MeanTeacher(new MeanTeacherOptions { Student = student, UnlabeledBatchSize = 64, InputNoise = 0.1 })
                .Fit(m.X, m.Y, m.Pool);
            gain += Accuracy(meanTeacher.Teacher.Predict(m.TestX), m.TestGold) - Accuracy(supervised.Predict(m.TestX), m.TestGold);
        }

        Assert.True(gain / seeds.Length > 0.015, $"mean accuracy gain {gain / seeds.Length:F3}");
    }

    [Fact]
    public void A_seed_gives_the_same_bits_on_any_number_of_threads()
    {
        var m = MakeMoons(4, 100, 10, 0.1, 1);
        MeanTeacherResult Run(int threads) => new MeanTeacher(new MeanTeacherOptions
        {
            Student = Small with { MaxDegreeOfParallelism = threads }, InputNoise = 0.05,
        }).Fit(m.X, m.Y, m.Pool);

        var a = Run(1);
        var b = Run(-1);
        Assert.Equal(Flatten(a.Teacher.Network), Flatten(b.Teacher.Network));
        Assert.Equal(Flatten(a.Student.Network), Flatten(b.Student.Network));
        var other = new MeanTeacher(new MeanTeacherOptions { Student = Small with { Seed = 6 }, InputNoise = 0.05 }).Fit(m.X, m.Y, m.Pool);
        Assert.NotEqual(Flatten(a.Teacher.Network), Flatten(other.Teacher.Network));
    }

    [Fact]
    public void The_history_ramps_the_consistency_weight_and_every_pool_row_is_seen_each_epoch()
    {
        var m = MakeMoons(4, 100, 10, 0.1, 1);
        var result = new MeanTeacher(new MeanTeacherOptions { Student = Small with { Epochs = 10 }, RampFraction = 0.5, ConsistencyWeight = 4 })
            .Fit(m.X, m.Y, m.Pool);

        Assert.Equal(10, result.History.Count);
        Assert.Equal(10 * 7, result.Steps); // ⌈100 pool rows / 16⌉ steps per epoch.
        Assert.True(result.History[0].ConsistencyWeight < result.History[3].ConsistencyWeight);
        Assert.Equal(4, result.History[^1].ConsistencyWeight);
        Assert.All(result.History, h => Assert.Null(h.ConfidentShare));
        Assert.Same(result.Teacher, result.Model);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void An_ema_decay_outside_zero_one_is_rejected(double decay)
    {
        var error = Assert.Throws<ArgumentException>(() => new MeanTeacher(new MeanTeacherOptions { EmaDecay = decay }));
        Assert.Contains("EmaDecay", error.Message);
    }

    [Fact]
    public void Other_bad_options_and_inputs_are_rejected()
    {
        Assert.Contains("ConsistencyWeight", Assert.Throws<ArgumentException>(() => new MeanTeacher(new MeanTeacherOptions { ConsistencyWeight = -1 })).Message);
        Assert.Contains("RampFraction", Assert.Throws<ArgumentException>(() => new MeanTeacher(new MeanTeacherOptions { RampFraction = 2 })).Message);
        Assert.Contains("Dropout", Assert.Throws<ArgumentException>(() => new MeanTeacher(new MeanTeacherOptions { Student = new() { Dropout = 1 } })).Message);
        Assert.Contains("ValidationFraction",
            Assert.Throws<ArgumentException>(() => new MeanTeacher(new MeanTeacherOptions { Student = new() { ValidationFraction = 0.2 } })).Message);

        var m = MakeMoons(4, 20, 10, 0.1, 1);
        Assert.Throws<ArgumentException>(() => new MeanTeacher(new MeanTeacherOptions { ConsistencyRows = ConsistencyRows.Pool }).Fit(m.X, m.Y));
        Assert.Throws<ArgumentException>(() => new MeanTeacher(new MeanTeacherOptions { InputNoise = 0.1 }).Fit(SparseMatrix.FromDense(m.X), m.Y));
        Assert.Throws<ArgumentException>(() => new MeanTeacher().Fit(m.X, m.Y, Train.X));
    }

    [Fact]
    public void Sparse_features_and_a_sparse_pool_train_like_their_dense_copies()
    {
        var m = MakeMoons(4, 30, 10, 0.1, 1);
        var options = new MeanTeacherOptions { Student = Small };
        var dense = new MeanTeacher(options).Fit(m.X, m.Y, m.Pool);
        var sparse = new MeanTeacher(options).Fit(SparseMatrix.FromDense(m.X), m.Y, SparseMatrix.FromDense(m.Pool));

        var a = Flatten(dense.Teacher.Network);
        var b = Flatten(sparse.Teacher.Network);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i], b[i], 1e-4);
        }
    }
}
