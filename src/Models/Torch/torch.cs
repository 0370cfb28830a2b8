using System.Runtime.InteropServices;
using PsTraining.Torch.Native;

namespace PsTraining.Torch;

/// <summary>The entry point, shaped like PyTorch's <c>torch</c> module: <c>torch.zeros</c>, <c>torch.nn.Linear</c>, <c>torch.optim.SGD</c>, ...</summary>
public static partial class torch
{
    /// <summary>The libtorch version the native shim was built against.</summary>
    public static string __version__ => Marshal.PtrToStringUTF8(NativeMethods.PST_runtime_version()) ?? "unknown";

    /// <summary>
    /// Seeds libtorch's generators, which every thread of the process shares: a seeded computation that must repeat its
    /// bits holds them with <see cref="Reproducible.Enter"/> instead, and this call waits while one does.
    /// </summary>
    public static void manual_seed(long seed)
    {
        using var draw = Reproducible.Draw();
        NativeMethods.PST_runtime_manual_seed(seed);
    }

    public static int get_num_threads() => NativeMethods.PST_runtime_get_num_threads();

    public static void set_num_threads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        NativeMethods.PST_runtime_set_num_threads(threads);
    }

    /// <summary>Opens a scope that frees every tensor created on this thread until it is disposed.</summary>
    public static DisposeScope NewDisposeScope() => new();

    /// <summary>
    /// glibc's mmap threshold as the native shim set it when it loaded (blocks below it come from malloc's heap and stay
    /// there when freed, as under PyTorch), or 0 when it left glibc's own; for code that changes the threshold for a
    /// while and must put it back.
    /// </summary>
    public static int TunedMmapThreshold => NativeMethods.PST_runtime_malloc_mmap_threshold();

    /// <summary>Caps the CPU tensor memory this thread allocates at <paramref name="bytes"/> until the returned scope is disposed.</summary>
    public static CpuMemoryLimit LimitCpuMemory(long bytes) => new(bytes);

    /// <summary>Turns autograd recording off on this thread until the returned scope is disposed.</summary>
    public static GradModeScope no_grad() => new(false);

    public static GradModeScope enable_grad() => new(true);

    public static bool is_grad_enabled() => NativeMethods.PST_autograd_is_enabled() != 0;

    public static Device device(string spec) => Device.Parse(spec);

    // ---- creation -------------------------------------------------------------------------------

    /// <summary>A tensor holding a copy of <paramref name="data"/>, shaped <paramref name="shape"/> (default: 1-D).</summary>
    public static unsafe Tensor tensor<T>(ReadOnlySpan<T> data, long[]? shape = null, Device? device = null, bool requires_grad = false)
        where T : unmanaged
    {
        shape ??= [data.Length];
        var target = device ?? Device.CPU;
        target.EnsureAvailable();
        var expected = 1L;
        foreach (var d in shape)
        {
            expected *= d;
        }

        if (expected != data.Length)
        {
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] needs {expected} elements but {data.Length} were given", nameof(shape));
        }

        fixed (T* p = data)
        fixed (long* s = shape)
        {
            return new Tensor(NativeMethods.PST_tensor_from_data(p, (long)data.Length * sizeof(T), (int)ScalarTypes.Of<T>(), s, shape.Length,
                (int)target.Type, target.Index, requires_grad ? (byte)1 : (byte)0));
        }
    }

    public static Tensor tensor<T>(T[] data, long[]? shape = null, Device? device = null, bool requires_grad = false) where T : unmanaged =>
        tensor((ReadOnlySpan<T>)data, shape, device, requires_grad);

    /// <summary>A 0-dimensional tensor.</summary>
    public static Tensor scalar_tensor(float value, Device? device = null, bool requires_grad = false) =>
        tensor([value], [], device, requires_grad);

    /// <summary>A 2-D float32 tensor from a rectangular array.</summary>
    public static Tensor tensor(float[,] data, Device? device = null, bool requires_grad = false)
    {
        var flat = new float[data.Length];
        Buffer.BlockCopy(data, 0, flat, 0, data.Length * sizeof(float));
        return tensor(flat, [data.GetLength(0), data.GetLength(1)], device, requires_grad);
    }

    private static unsafe Tensor Factory(int kind, long[] shape, double value, ScalarType dtype, Device? device, bool requires_grad)
    {
        var target = device ?? Device.CPU;
        target.EnsureAvailable();
        fixed (long* s = shape)
        {
            return new Tensor(NativeMethods.PST_tensor_new(kind, s, shape.Length, value, (int)dtype, (int)target.Type, target.Index, requires_grad ? (byte)1 : (byte)0));
        }
    }

    public static Tensor empty(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        Factory(0, shape, 0, dtype, device, requires_grad);

    public static Tensor zeros(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        Factory(1, shape, 0, dtype, device, requires_grad);

    public static Tensor ones(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        Factory(2, shape, 0, dtype, device, requires_grad);

    /// <summary>Uniform on [0, 1), from libtorch's generator (seeded by <see cref="manual_seed"/>).</summary>
    public static Tensor rand(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        using var draw = Reproducible.Draw();
        return Factory(3, shape, 0, dtype, device, requires_grad);
    }

    /// <summary>Standard normal, from libtorch's generator (seeded by <see cref="manual_seed"/>).</summary>
    public static Tensor randn(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        using var draw = Reproducible.Draw();
        return Factory(4, shape, 0, dtype, device, requires_grad);
    }

    /// <summary>Integers uniform on [0, <paramref name="high"/>), int64 by default, from libtorch's generator.</summary>
    public static Tensor randint(long high, long[] shape, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(high, 1);
        using var draw = Reproducible.Draw();
        return Factory(6, shape, high, dtype, device, requires_grad: false);
    }

    public static Tensor full(long[] shape, double value, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        Factory(5, shape, value, dtype, device, requires_grad);

    public static Tensor zeros_like(Tensor t) => zeros(t.shape, t.dtype, t.device);

    public static Tensor ones_like(Tensor t) => ones(t.shape, t.dtype, t.device);

    public static Tensor arange(double start, double end, double step = 1, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        var target = device ?? Device.CPU;
        target.EnsureAvailable();
        return new Tensor(NativeMethods.PST_tensor_arange(start, end, step, (int)dtype, (int)target.Type, target.Index));
    }

    // ---- functions over several tensors ---------------------------------------------------------

    private static unsafe Tensor Join(IReadOnlyList<Tensor> tensors, long dim, bool stack)
    {
        if (tensors.Count == 0)
        {
            throw new ArgumentException("needs at least one tensor", nameof(tensors));
        }

        var raw = new IntPtr[tensors.Count];
        for (var i = 0; i < raw.Length; i++)
        {
            raw[i] = tensors[i].Handle.DangerousGetHandle();
        }

        fixed (IntPtr* p = raw)
        {
            var result = stack ? NativeMethods.PST_op_stack(p, raw.Length, dim) : NativeMethods.PST_op_cat(p, raw.Length, dim);
            GC.KeepAlive(tensors);
            return new Tensor(result);
        }
    }

    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: false);

    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: true);

    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);

    public static Tensor where(Tensor condition, Tensor a, Tensor b) => new(NativeMethods.PST_op_where(condition.Handle, a.Handle, b.Handle));

    public static Tensor reshape(Tensor t, params long[] shape) => t.reshape(shape);

    public static Tensor flatten(Tensor t, long start_dim = 0, long end_dim = -1) => t.flatten(start_dim, end_dim);

    /// <summary>Whether the two tensors have the same shape and all elements within atol + rtol·|b|.</summary>
    public static bool allclose(Tensor a, Tensor b, double rtol = 1e-5, double atol = 1e-8)
    {
        if (!a.shape.AsSpan().SequenceEqual(b.shape))
        {
            return false;
        }

        using var scope = NewDisposeScope();
        var diff = (a - b).abs();
        var bound = b.abs() * rtol + atol;
        return diff.le(bound).to(ScalarType.Int64).sum().item() == a.numel();
    }

    /// <summary>CUDA availability, as <c>torch.cuda</c>.</summary>
    public static class cuda
    {
        public static bool is_available() => NativeMethods.PST_runtime_cuda_is_available() != 0;

        public static int device_count() => NativeMethods.PST_runtime_cuda_device_count();

        public static void synchronize(int device = -1) => NativeMethods.Check(NativeMethods.PST_runtime_cuda_synchronize(device));
    }
}
