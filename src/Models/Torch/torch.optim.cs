using PsTraining.Torch.Modules;
using PsTraining.Torch.Optim;

namespace PsTraining.Torch;

public static partial class torch
{
    /// <summary>Optimiser factories, as <c>torch.optim</c>.</summary>
    public static class optim
    {
        public static SGD SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0,
            bool nesterov = false) => new(parameters, lr, momentum, dampening, weight_decay, nesterov);

        public static Adam Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
            double weight_decay = 0, bool amsgrad = false) => new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad);

        public static AdamW AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
            double weight_decay = 1e-2, bool amsgrad = false) => new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad);

        public static RMSprop RMSprop(IEnumerable<Parameter> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weight_decay = 0,
            double momentum = 0, bool centered = false) => new(parameters, lr, alpha, eps, weight_decay, momentum, centered);
    }
}
