namespace PsTraining.Sim.Analysis;

/// <summary>Solves the small dense systems of the closed-form solutions (n×n or d×d, n and d in the tens).</summary>
public static class DenseLinearSystem
{
    /// <summary>x with A·x = b, by Gaussian elimination with partial pivoting; throws when A is singular.</summary>
    public static double[] Solve(double[,] a, double[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var n = b.Length;
        if (a.GetLength(0) != n || a.GetLength(1) != n)
        {
            throw new ArgumentException($"the matrix is {a.GetLength(0)}×{a.GetLength(1)} but the right-hand side has {n} entries");
        }

        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (var col = 0; col < n; col++)
        {
            var pivot = Enumerable.Range(col, n - col).MaxBy(r => Math.Abs(m[r, col]));
            if (Math.Abs(m[pivot, col]) < 1e-300)
            {
                throw new InvalidOperationException("the system is singular: the data matrix does not have full rank");
            }

            for (var k = 0; k < n; k++)
            {
                (m[col, k], m[pivot, k]) = (m[pivot, k], m[col, k]);
            }

            (x[col], x[pivot]) = (x[pivot], x[col]);
            for (var r = col + 1; r < n; r++)
            {
                var factor = m[r, col] / m[col, col];
                for (var k = col; k < n; k++)
                {
                    m[r, k] -= factor * m[col, k];
                }

                x[r] -= factor * x[col];
            }
        }

        for (var r = n - 1; r >= 0; r--)
        {
            for (var k = r + 1; k < n; k++)
            {
                x[r] -= m[r, k] * x[k];
            }

            x[r] /= m[r, r];
        }

        return x;
    }
}
