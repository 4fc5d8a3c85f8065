using Skein.Data;
using Skein.Features;
using static Skein.Tests.EndModels.EndModelFixtures;

namespace Skein.Tests.Training;

/// <summary>Two moons with a few labeled rows, a large unlabeled pool and a held-out set.</summary>
internal static class MeanTeacherFixtures
{
    public static Moons MakeMoons(int labeledPerClass, int pool, int test, double noise, int seed)
    {
        var random = new Random(seed);
        (double[] X, int Y) Point(int c)
        {
            double t = Math.PI * random.NextDouble();
            double x = c == 0 ? Math.Cos(t) : 1 - Math.Cos(t);
            double y = c == 0 ? Math.Sin(t) : 0.5 - Math.Sin(t);
            return ([x + (noise * Gaussian(random)), y + (noise * Gaussian(random))], c);
        }

        var labeled = Enumerable.Range(0, 2 * labeledPerClass).Select(i => Point(i % 2)).ToArray();
        var unlabeled = Enumerable.Range(0, pool).Select(i => Point(i % 2)).ToArray();
        var held = Enumerable.Range(0, test).Select(i => Point(i % 2)).ToArray();
        return new Moons(
            DenseMatrix.FromRows([.. labeled.Select(p => p.X)]), OneHot([.. labeled.Select(p => p.Y)], 2),
            DenseMatrix.FromRows([.. unlabeled.Select(p => p.X)]),
            DenseMatrix.FromRows([.. held.Select(p => p.X)]), [.. held.Select(p => p.Y)]);
    }

    internal sealed record Moons(DenseMatrix X, ProbabilisticLabels Y, DenseMatrix Pool, DenseMatrix TestX, int[] TestGold);
}
