using PsTraining.Torch.Native;

namespace PsTraining.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Stateless layers, pooling and losses, as <c>torch.nn.functional</c>.</summary>
        public static unsafe class functional
        {
            private static IntPtr Raw(Tensor? t) => t is null ? IntPtr.Zero : t.Handle.DangerousGetHandle();

            private static long[] Pair((long, long) p) => [p.Item1, p.Item2];

            public static Tensor relu(Tensor x) => x.relu();

            public static Tensor sigmoid(Tensor x) => x.sigmoid();

            public static Tensor tanh(Tensor x) => x.tanh();

            public static Tensor softmax(Tensor x, long dim) => x.softmax(dim);

            public static Tensor log_softmax(Tensor x, long dim) => x.log_softmax(dim);

            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
            {
                var result = NativeMethods.PST_nn_linear(input.Handle, weight.Handle, Raw(bias));
                GC.KeepAlive(bias);
                return new Tensor(result);
            }

            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, (long, long)? stride = null, (long, long)? padding = null,
                (long, long)? dilation = null, long groups = 1)
            {
                var s = Pair(stride ?? (1, 1));
                var p = Pair(padding ?? (0, 0));
                var d = Pair(dilation ?? (1, 1));
                fixed (long* ps = s, pp = p, pd = d)
                {
                    var result = NativeMethods.PST_nn_conv2d(input.Handle, weight.Handle, Raw(bias), ps, pp, pd, groups);
                    GC.KeepAlive(bias);
                    return new Tensor(result);
                }
            }

            public static Tensor conv_transpose2d(Tensor input, Tensor weight, Tensor? bias = null, (long, long)? stride = null, (long, long)? padding = null,
                (long, long)? output_padding = null, long groups = 1, (long, long)? dilation = null)
            {
                var s = Pair(stride ?? (1, 1));
                var p = Pair(padding ?? (0, 0));
                var o = Pair(output_padding ?? (0, 0));
                var d = Pair(dilation ?? (1, 1));
                fixed (long* ps = s, pp = p, po = o, pd = d)
                {
                    var result = NativeMethods.PST_nn_conv_transpose2d(input.Handle, weight.Handle, Raw(bias), ps, pp, po, pd, groups);
                    GC.KeepAlive(bias);
                    return new Tensor(result);
                }
            }

            public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null,
                bool training = false, double momentum = 0.1, double eps = 1e-5)
            {
                var result = NativeMethods.PST_nn_batch_norm(input.Handle, Raw(weight), Raw(bias), Raw(running_mean), Raw(running_var),
                    training ? (byte)1 : (byte)0, momentum, eps);
                GC.KeepAlive(weight);
                GC.KeepAlive(bias);
                GC.KeepAlive(running_mean);
                GC.KeepAlive(running_var);
                return new Tensor(result);
            }

            public static Tensor max_pool2d(Tensor input, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null,
                (long, long)? dilation = null, bool ceil_mode = false)
            {
                var k = Pair(kernel_size);
                var s = Pair(stride ?? kernel_size);
                var p = Pair(padding ?? (0, 0));
                var d = Pair(dilation ?? (1, 1));
                fixed (long* pk = k, ps = s, pp = p, pd = d)
                {
                    return new Tensor(NativeMethods.PST_nn_max_pool2d(input.Handle, pk, ps, pp, pd, ceil_mode ? (byte)1 : (byte)0));
                }
            }

            public static Tensor avg_pool2d(Tensor input, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null,
                bool ceil_mode = false, bool count_include_pad = true)
            {
                var k = Pair(kernel_size);
                var s = Pair(stride ?? kernel_size);
                var p = Pair(padding ?? (0, 0));
                fixed (long* pk = k, ps = s, pp = p)
                {
                    return new Tensor(NativeMethods.PST_nn_avg_pool2d(input.Handle, pk, ps, pp, ceil_mode ? (byte)1 : (byte)0, count_include_pad ? (byte)1 : (byte)0));
                }
            }

            public static Tensor adaptive_avg_pool2d(Tensor input, (long, long) output_size)
            {
                var o = Pair(output_size);
                fixed (long* po = o)
                {
                    return new Tensor(NativeMethods.PST_nn_adaptive_avg_pool2d(input.Handle, po));
                }
            }

            /// <summary>Resizes the last two dimensions, to <paramref name="size"/> or by <paramref name="scale_factor"/>.</summary>
            public static Tensor interpolate(Tensor input, (long, long)? size = null, (double, double)? scale_factor = null,
                UpsampleMode mode = UpsampleMode.Nearest, bool align_corners = false)
            {
                if (size is null == scale_factor is null)
                {
                    throw new ArgumentException("give exactly one of size and scale_factor");
                }

                long[] sz = size is { } so ? Pair(so) : [0, 0];
                double[] sc = scale_factor is { } f ? [f.Item1, f.Item2] : [0, 0];
                fixed (long* psz = sz)
                fixed (double* psc = sc)
                {
                    return new Tensor(NativeMethods.PST_nn_upsample2d(input.Handle, (int)mode, size is null ? null : psz, scale_factor is null ? null : psc,
                        align_corners ? (byte)1 : (byte)0));
                }
            }

            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true)
            {
                if (p is < 0 or > 1)
                {
                    throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
                }

                using var draw = Reproducible.Draw();
                return new Tensor(NativeMethods.PST_nn_dropout(input.Handle, p, training ? (byte)1 : (byte)0));
            }

            // ---- losses ---------------------------------------------------------------------------

            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                new(NativeMethods.PST_loss_mse(input.Handle, target.Handle, (int)reduction));

            /// <summary>Cross-entropy of logits <paramref name="input"/> (N, C, ...) against class indices <paramref name="target"/> (int64).</summary>
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean,
                long ignore_index = -100, double label_smoothing = 0)
            {
                var result = NativeMethods.PST_loss_cross_entropy(input.Handle, target.Handle, Raw(weight), (int)reduction, ignore_index, label_smoothing);
                GC.KeepAlive(weight);
                return new Tensor(result);
            }

            public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, long ignore_index = -100)
            {
                var result = NativeMethods.PST_loss_nll(input.Handle, target.Handle, Raw(weight), (int)reduction, ignore_index);
                GC.KeepAlive(weight);
                return new Tensor(result);
            }

            /// <summary>Binary cross-entropy of probabilities <paramref name="input"/> in [0, 1].</summary>
            public static Tensor binary_cross_entropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
            {
                var result = NativeMethods.PST_loss_bce(input.Handle, target.Handle, Raw(weight), (int)reduction);
                GC.KeepAlive(weight);
                return new Tensor(result);
            }

            public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null, Tensor? pos_weight = null,
                Reduction reduction = Reduction.Mean)
            {
                var result = NativeMethods.PST_loss_bce_with_logits(input.Handle, target.Handle, Raw(weight), Raw(pos_weight), (int)reduction);
                GC.KeepAlive(weight);
                GC.KeepAlive(pos_weight);
                return new Tensor(result);
            }
        }
    }
}
