namespace PsTraining.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Weight initialisers, as <c>torch.nn.init</c>. They draw from libtorch's generator in PyTorch's order,
        /// so a model built after <c>manual_seed(s)</c> starts from the same weights as its PyTorch twin.</summary>
        public static class init
        {
            /// <summary>(fan_in, fan_out) as PyTorch computes them: dim 1 and dim 0 times the receptive field.</summary>
            public static (long fanIn, long fanOut) calculate_fan_in_and_fan_out(Tensor t)
            {
                var shape = t.shape;
                if (shape.Length < 2)
                {
                    throw new ArgumentException("fan in and fan out need a tensor with at least 2 dimensions");
                }

                var receptive = 1L;
                for (var i = 2; i < shape.Length; i++)
                {
                    receptive *= shape[i];
                }

                return (shape[1] * receptive, shape[0] * receptive);
            }

            public static Tensor uniform_(Tensor t, double a = 0, double b = 1) => t.uniform_(a, b);

            public static Tensor normal_(Tensor t, double mean = 0, double std = 1) => t.normal_(mean, std);

            public static Tensor zeros_(Tensor t) => t.zero_();

            public static Tensor ones_(Tensor t) => t.fill_(1);

            /// <summary>He uniform for leaky ReLU with slope <paramref name="a"/>, fan-in mode (PyTorch's default for Linear and Conv).</summary>
            public static Tensor kaiming_uniform_(Tensor t, double a = 0)
            {
                var (fanIn, _) = calculate_fan_in_and_fan_out(t);
                var gain = Math.Sqrt(2.0 / (1 + (a * a)));
                var bound = gain * Math.Sqrt(3.0 / fanIn);
                return t.uniform_(-bound, bound);
            }

            /// <summary>
            /// PyTorch's default initialisation of Linear and Conv layers (their <c>reset_parameters</c>): weight He-uniform with
            /// a = √5, i.e. U(±1/√fan_in), and bias U(±1/√fan_in), drawn in that order.
            /// </summary>
            public static void default_layer_(Tensor weight, Tensor? bias)
            {
                kaiming_uniform_(weight, Math.Sqrt(5));
                if (bias is not null)
                {
                    var bound = 1 / Math.Sqrt(calculate_fan_in_and_fan_out(weight).fanIn);
                    bias.uniform_(-bound, bound);
                }
            }

            public static Tensor xavier_uniform_(Tensor t, double gain = 1)
            {
                var (fanIn, fanOut) = calculate_fan_in_and_fan_out(t);
                var bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
                return t.uniform_(-bound, bound);
            }
        }
    }
}
