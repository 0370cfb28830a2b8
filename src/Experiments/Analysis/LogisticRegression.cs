namespace PsTraining.Experiments.Analysis;

/// <summary>
/// L2-regularised logistic regression on standardised features, fitted by Newton's method: minimises
/// Σ log(1 + exp(−yᵢ·(w·zᵢ + b))) + ½·λ‖w‖² (the intercept b is not penalised; λ = 1 is scikit-learn's default C = 1).
/// </summary>
internal sealed class LogisticRegression
{
    private readonly Standardiser _standardiser;
    private readonly double[] _weights; // the intercept last

    private LogisticRegression(Standardiser standardiser, double[] weights) => (_standardiser, _weights) = (standardiser, weights);

    public static LogisticRegression Fit(double[][] features, int[] labels, double lambda = 1, int maxIterations = 100)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lambda);
        var standardiser = Standardiser.Fit(features);
        var z = features.Select(standardiser.Apply).ToArray();
        var d = z[0].Length + 1;
        var w = new double[d];
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            var gradient = new double[d];
            var hessian = new double[d, d];
            for (var i = 0; i < z.Length; i++)
            {
                var p = Sigmoid(Linear(w, z[i]));
                var r = p - labels[i];
                var s = p * (1 - p);
                for (var a = 0; a < d; a++)
                {
                    var za = a < d - 1 ? z[i][a] : 1;
                    gradient[a] += r * za;
                    for (var b = 0; b < d; b++)
                    {
                        hessian[a, b] += s * za * (b < d - 1 ? z[i][b] : 1);
                    }
                }
            }

            for (var a = 0; a < d - 1; a++)
            {
                gradient[a] += lambda * w[a];
                hessian[a, a] += lambda;
            }

            var step = LeastSquares.Solve(hessian, gradient);
            for (var a = 0; a < d; a++)
            {
                w[a] -= step[a];
            }

            if (step.Max(Math.Abs) < 1e-12)
            {
                break;
            }
        }

        return new LogisticRegression(standardiser, w);
    }

    /// <summary>The log-odds of the positive class.</summary>
    public double Score(double[] features) => Linear(_weights, _standardiser.Apply(features));

    private static double Linear(double[] w, double[] z)
    {
        var sum = w[^1];
        for (var a = 0; a < z.Length; a++)
        {
            sum += w[a] * z[a];
        }

        return sum;
    }

    private static double Sigmoid(double t) => 1 / (1 + Math.Exp(-t));
}
