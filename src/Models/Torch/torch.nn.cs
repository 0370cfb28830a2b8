using PsTraining.Torch.Modules;

namespace PsTraining.Torch;

public static partial class torch
{
    /// <summary>Layer factories, as <c>torch.nn</c>: <c>torch.nn.Conv2d(1, 6, 5)</c>.</summary>
    public static partial class nn
    {
        public static Linear Linear(long in_features, long out_features, bool bias = true, Device? device = null) => new(in_features, out_features, bias, device);

        public static Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1,
            long groups = 1, bool bias = true, Device? device = null) =>
            new(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, device);

        public static ConvTranspose2d ConvTranspose2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0,
            long output_padding = 0, long groups = 1, bool bias = true, long dilation = 1, Device? device = null) =>
            new(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation, device);

        public static BatchNorm2d BatchNorm2d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = true,
            bool track_running_stats = true, Device? device = null) =>
            new(num_features, eps, momentum, affine, track_running_stats, device);

        public static MaxPool2d MaxPool2d(long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false) =>
            new(kernel_size, stride, padding, dilation, ceil_mode);

        public static AvgPool2d AvgPool2d(long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true) =>
            new(kernel_size, stride, padding, ceil_mode, count_include_pad);

        public static AdaptiveAvgPool2d AdaptiveAvgPool2d((long, long) output_size) => new(output_size);

        public static Upsample Upsample(double scale_factor, UpsampleMode mode = UpsampleMode.Nearest, bool align_corners = false) =>
            new(scale_factor, mode, align_corners);

        public static ReLU ReLU() => new();

        public static Sigmoid Sigmoid() => new();

        public static Tanh Tanh() => new();

        public static Dropout Dropout(double p = 0.5) => new(p);

        public static Flatten Flatten(long start_dim = 1, long end_dim = -1) => new(start_dim, end_dim);

        public static Sequential Sequential(params Module[] layers) => new(layers);

        public static MSELoss MSELoss(Reduction reduction = Reduction.Mean) => new(reduction);

        public static CrossEntropyLoss CrossEntropyLoss(Reduction reduction = Reduction.Mean, double label_smoothing = 0) => new(reduction, label_smoothing);

        public static BCELoss BCELoss(Reduction reduction = Reduction.Mean) => new(reduction);
    }
}
