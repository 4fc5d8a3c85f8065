#:project ../../src/Skein/Skein.csproj
// Teacher–student comparison on WRENCH youtube (docs/teacher-student.md).
// Usage: dotnet run examples/teacher-student/compare.cs -- <wrench_youtube/train.json> [seeds]
using System.Diagnostics;
using Skein.Data;
using Skein.EndModels;
using Skein.Features;
using Skein.IO;
using Skein.LabelModels;
using Skein.Training;

var data = WrenchDataset.Load(args[0]);
int seeds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
int n = data.Ids.Count;
var texts = data.Texts.Select(t => t ?? "").ToArray();
var x = new HashedNGramFeaturizer(new HashedNGramOptions { Dimension = 1 << 12 }).Fit(texts).Transform(texts);
var votes = new MajorityVote().Fit(data.Matrix).PredictProba(data.Matrix);

// WRENCH's 100 labeled_ids are the last 100 rows (ids 1586–1685): the gold set. The other 1,586 rows are split once
// (seed 0) into a 1,086-row unlabeled pool and a 500-row held-out test set.
int[] gold = [.. Enumerable.Range(n - 100, 100)];
int[] rest = [.. Enumerable.Range(0, n - 100)];
var shuffle = new Random(0);
for (int i = rest.Length - 1; i > 0; i--)
{
    int j = shuffle.Next(i + 1);
    (rest[i], rest[j]) = (rest[j], rest[i]);
}

int[] pool = rest[..1086], test = rest[1086..];
var xGold = x.SelectRows(gold);
var yGold = OneHot([.. gold.Select(i => data.Gold[i])]);
var xPool = x.SelectRows(pool);
var xTest = x.SelectRows(test);
int[] testGold = [.. test.Select(i => data.Gold[i])];
int[] weakRows = [.. pool, .. gold];
var xWeak = x.SelectRows(weakRows);
var yWeak = Rows(votes, weakRows);
int[] weakGold = [.. pool.Select(_ => -1), .. gold.Select(i => data.Gold[i])];

Console.WriteLine($"youtube: {gold.Length} gold, {pool.Length} pool, {test.Length} test; MV accuracy on test {Accuracy(Rows(votes, test).ArgMax(), testGold):F3}");
var results = new Dictionary<string, List<double>>();
var clock = new Dictionary<string, double>();
for (int seed = 1; seed <= seeds; seed++)
{
    // 20 epochs over the pool at 64 rows per step = 340 steps; the gold-only baseline gets the same 340 steps.
    var student = new MlpOptions { HiddenSizes = [32], BatchSize = 32, Epochs = 20, Seed = seed };
    Run("mlp, 100 gold only", () => new Mlp(student with { Epochs = 85 }).Fit(xGold, yGold));
    Run("mean teacher (MSE, w=10), gold + pool", () => new MeanTeacher(new MeanTeacherOptions { Student = student, UnlabeledBatchSize = 64 }).Fit(xGold, yGold, xPool).Teacher);
    Run("mean teacher (MSE, w=1), gold + pool", () => new MeanTeacher(new MeanTeacherOptions
    {
        Student = student, UnlabeledBatchSize = 64, ConsistencyWeight = 1,
    }).Fit(xGold, yGold, xPool).Teacher);
    Run("mean teacher (w=0: EMA of plain training)", () => new MeanTeacher(new MeanTeacherOptions
    {
        Student = student, UnlabeledBatchSize = 64, ConsistencyWeight = 0,
    }).Fit(xGold, yGold, xPool).Teacher);
    Run("look-ahead K=3 (EMA 0.99), gold + pool", () => new LookAheadTeacher(new LookAheadTeacherOptions
    {
        Student = student, UnlabeledBatchSize = 64, EmaDecay = 0.99,
    }).Fit(xGold, yGold, xPool).Teacher);
    // Weak supervision: the majority-vote label model is the (weak) teacher on pool + gold rows.
    var weakStudent = student with { Epochs = 12 };
    Run("mlp on MV labels (pool + gold rows)", () => new Mlp(weakStudent).Fit(xWeak, yWeak));
    Run("distill MV, T=2, w=0.5, gold CE", () => new Distillation(new DistillationOptions { Student = weakStudent }).Fit(xWeak, yWeak, weakGold).Model);
    Run("distill MV, T=2, w=0.5 then off at 50%", () => new Distillation(new DistillationOptions
    {
        Student = weakStudent, Schedule = DistillationSchedule.ConstantThenOff, KdFraction = 0.5,
    }).Fit(xWeak, yWeak, weakGold).Model);
}

foreach (var (name, accuracies) in results)
{
    double mean = accuracies.Average(), sd = Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / Math.Max(1, accuracies.Count - 1));
    Console.WriteLine($"{name,-42} test accuracy {mean:F3} ± {sd:F3}  ({string.Join(", ", accuracies.Select(a => a.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))})  {clock[name] / accuracies.Count:F1} s/run");
}

void Run(string name, Func<EndModel> fit)
{
    var watch = Stopwatch.StartNew();
    var model = fit();
    clock[name] = clock.GetValueOrDefault(name) + watch.Elapsed.TotalSeconds;
    if (!results.TryGetValue(name, out var list))
    {
        results[name] = list = [];
    }

    list.Add(Accuracy(model.Predict(xTest), testGold));
}

static ProbabilisticLabels OneHot(int[] classes)
{
    var values = new double[classes.Length * 2];
    for (int i = 0; i < classes.Length; i++)
    {
        values[(i * 2) + classes[i]] = 1;
    }

    return ProbabilisticLabels.FromRowMajor(values, 2);
}

static ProbabilisticLabels Rows(ProbabilisticLabels labels, int[] rows) =>
    ProbabilisticLabels.FromRowMajor([.. rows.SelectMany(i => labels.Row(i).ToArray())], labels.Cardinality);

static double Accuracy(int[] predicted, int[] gold) => predicted.Zip(gold).Count(p => p.First == p.Second) / (double)gold.Length;
