namespace PsTraining.Experiments.Analysis;

/// <summary>
/// Linear least squares min ‖A w − b‖ (for a square A, the solution of A w = b) by Householder QR: no normal equations, so the error grows with cond(A) and not
/// with its square (which matters for high-degree polynomial fits).
/// </summary>
internal static class LeastSquares
{
    public static double[] Solve(double[,] a, double[] b)
    {
        int rows = a.GetLength(0), columns = a.GetLength(1);
        if (b.Length != rows || rows < columns)
        {
            throw new ArgumentException($"least squares needs as many targets as rows and at least as many rows as columns; got {rows}×{columns} and {b.Length} targets");
        }

        var r = (double[,])a.Clone();
        var y = (double[])b.Clone();
        var v = new double[rows];
        for (var k = 0; k < columns; k++)
        {
            double norm = 0;
            for (var i = k; i < rows; i++)
            {
                norm = double.Hypot(norm, r[i, k]);
            }

            if (norm == 0)
            {
                throw new ArgumentException($"column {k} is linearly dependent on the ones before it: the fit is not unique");
            }

            // Reflect column k onto −sign(r_kk)·‖·‖·e_k (the sign that avoids cancellation).
            var alpha = r[k, k] > 0 ? -norm : norm;
            double vv = 0;
            for (var i = k; i < rows; i++)
            {
                v[i] = r[i, k] - (i == k ? alpha : 0);
                vv += v[i] * v[i];
            }

            for (var j = k; j < columns; j++)
            {
                Reflect(r, j, v, k, rows, vv);
            }

            double dot = 0;
            for (var i = k; i < rows; i++)
            {
                dot += v[i] * y[i];
            }

            for (var i = k; i < rows; i++)
            {
                y[i] -= 2 * dot / vv * v[i];
            }
        }

        var w = new double[columns];
        for (var k = columns - 1; k >= 0; k--)
        {
            var sum = y[k];
            for (var j = k + 1; j < columns; j++)
            {
                sum -= r[k, j] * w[j];
            }

            w[k] = sum / r[k, k];
        }

        return w;
    }

    private static void Reflect(double[,] r, int column, double[] v, int from, int rows, double vv)
    {
        double dot = 0;
        for (var i = from; i < rows; i++)
        {
            dot += v[i] * r[i, column];
        }

        for (var i = from; i < rows; i++)
        {
            r[i, column] -= 2 * dot / vv * v[i];
        }
    }
}
