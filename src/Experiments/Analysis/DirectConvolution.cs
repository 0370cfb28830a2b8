namespace PsTraining.Experiments.Analysis;

/// <summary>
/// 2-D convolution by its definition, as deep-learning libraries compute it (a cross-correlation: the kernel is not
/// flipped): out[i, j] = Σ_a Σ_b x[i·S + a − P, j·S + b − P] · K[a, b], with zeros outside the image.
/// </summary>
public static class DirectConvolution
{
    public static double[,] Apply(double[,] image, double[,] kernel, int padding = 0, int stride = 1)
    {
        int rows = image.GetLength(0), cols = image.GetLength(1), kRows = kernel.GetLength(0), kCols = kernel.GetLength(1);
        var output = new double[ConvArithmetic.OutputSize(rows, kRows, padding, stride), ConvArithmetic.OutputSize(cols, kCols, padding, stride)];
        for (var i = 0; i < output.GetLength(0); i++)
        {
            for (var j = 0; j < output.GetLength(1); j++)
            {
                var sum = 0.0;
                for (var a = 0; a < kRows; a++)
                {
                    for (var b = 0; b < kCols; b++)
                    {
                        int r = (i * stride) + a - padding, c = (j * stride) + b - padding;
                        if (r >= 0 && r < rows && c >= 0 && c < cols)
                        {
                            sum += image[r, c] * kernel[a, b];
                        }
                    }
                }

                output[i, j] = sum;
            }
        }

        return output;
    }
}
