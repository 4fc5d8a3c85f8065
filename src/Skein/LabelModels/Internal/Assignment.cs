namespace Skein.LabelModels.Internal;

/// <summary>Minimum-cost perfect assignment on a square matrix (the Hungarian method with potentials, O(n³)).</summary>
internal static class Assignment
{
    /// <summary>
    /// The column assigned to each row so that Σ cost[row, column] is minimal. Ties between optimal assignments
    /// are resolved by the algorithm's scan order (lowest indices first), which may differ from other solvers.
    /// </summary>
    public static int[] Solve(double[,] cost)
    {
        int n = cost.GetLength(0);
        if (cost.GetLength(1) != n)
        {
            throw new ArgumentException("The cost matrix must be square.", nameof(cost));
        }

        // 1-based arrays with a virtual row/column 0, the classic shortest-augmenting-path formulation.
        var u = new double[n + 1];
        var v = new double[n + 1];
        var rowOfColumn = new int[n + 1];
        var way = new int[n + 1];
        var minSlack = new double[n + 1];
        var used = new bool[n + 1];
        for (int row = 1; row <= n; row++)
        {
            rowOfColumn[0] = row;
            int column0 = 0;
            Array.Fill(minSlack, double.PositiveInfinity);
            Array.Clear(used);
            do
            {
                used[column0] = true;
                int row0 = rowOfColumn[column0], column1 = 0;
                double delta = double.PositiveInfinity;
                for (int j = 1; j <= n; j++)
                {
                    if (used[j])
                    {
                        continue;
                    }

                    double slack = cost[row0 - 1, j - 1] - u[row0] - v[j];
                    if (slack < minSlack[j])
                    {
                        minSlack[j] = slack;
                        way[j] = column0;
                    }

                    if (minSlack[j] < delta)
                    {
                        delta = minSlack[j];
                        column1 = j;
                    }
                }

                for (int j = 0; j <= n; j++)
                {
                    if (used[j])
                    {
                        u[rowOfColumn[j]] += delta;
                        v[j] -= delta;
                    }
                    else
                    {
                        minSlack[j] -= delta;
                    }
                }

                column0 = column1;
            }
            while (rowOfColumn[column0] != 0);

            do
            {
                int column1 = way[column0];
                rowOfColumn[column0] = rowOfColumn[column1];
                column0 = column1;
            }
            while (column0 != 0);
        }

        var result = new int[n];
        for (int j = 1; j <= n; j++)
        {
            result[rowOfColumn[j] - 1] = j - 1;
        }

        return result;
    }
}
