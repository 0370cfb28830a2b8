using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace PsTraining.Models.Data;

/// <summary>
/// Images and labels held in managed memory as bytes (one byte per pixel, scaled to [0, 1] when a
/// batch is made), so that a 60,000-image set costs 47 MB and tensors exist only per batch.
/// </summary>
public sealed class ImageDataset
{
    private readonly byte[] _pixels;
    private readonly byte[] _labels;

    public ImageDataset(byte[] pixels, byte[] labels, int channels, int height, int width, IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        var perImage = channels * height * width;
        if (perImage <= 0 || pixels.Length != (long)labels.Length * perImage)
        {
            throw new ArgumentException($"{labels.Length} labels need {(long)labels.Length * perImage} pixels of {channels}×{height}×{width}, got {pixels.Length}");
        }

        var bad = Array.FindIndex(labels, l => l >= classes.Count);
        if (bad >= 0)
        {
            throw new ArgumentException($"label {labels[bad]} of sample {bad} is out of range 0..{classes.Count - 1}");
        }

        _pixels = pixels;
        _labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        Classes = classes;
    }

    public int Count => _labels.Length;

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    public IReadOnlyList<string> Classes { get; }

    /// <summary>The shape of one sample: [channels, height, width].</summary>
    public long[] SampleShape => [Channels, Height, Width];

    public int Label(int index) => _labels[index];

    public ReadOnlySpan<byte> Pixels(int index) => _pixels.AsSpan(index * Channels * Height * Width, Channels * Height * Width);

    /// <summary>The samples <paramref name="indices"/> as float32 images [B, C, H, W] in [0, 1] and int64 labels [B].</summary>
    public (Tensor Images, Tensor Labels) Batch(ReadOnlySpan<int> indices)
    {
        var perImage = Channels * Height * Width;
        var labels = new long[indices.Length];
        // The pixels go straight into the new tensor's memory: no staging buffer.
        var images = empty([indices.Length, Channels, Height, Width], ScalarType.Float32);
        var floats = MemoryMarshal.Cast<byte, float>(images.bytes);
        for (var b = 0; b < indices.Length; b++)
        {
            // The division (not a multiplication by 1/255) gives the same floats as PyTorch's ToTensor.
            var target = floats.Slice(b * perImage, perImage);
            TensorPrimitives.ConvertChecked(Pixels(indices[b]), target);
            TensorPrimitives.Divide(target, 255f, target);
            labels[b] = _labels[indices[b]];
        }

        return (images, tensor(labels));
    }

    /// <summary>Minibatches over <paramref name="order"/> (all samples in order when null). The last, short batch is kept unless <paramref name="dropLast"/>.</summary>
    public IEnumerable<(Tensor Images, Tensor Labels)> Batches(int batchSize, int[]? order = null, bool dropLast = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1, nameof(batchSize));
        order ??= Enumerable.Range(0, Count).ToArray();
        for (var start = 0; start < order.Length; start += batchSize)
        {
            var size = Math.Min(batchSize, order.Length - start);
            if (size < batchSize && dropLast)
            {
                yield break;
            }

            yield return Batch(order.AsSpan(start, size));
        }
    }

    /// <summary>A copy with every image padded by <paramref name="pad"/> zero pixels on each side (Fashion-MNIST 28×28 → LeNet-5's 32×32 with 2).</summary>
    public ImageDataset Padded(int pad)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pad);
        var (h, w) = (Height + (2 * pad), Width + (2 * pad));
        var pixels = new byte[(long)Count * Channels * h * w];
        for (var n = 0; n < Count; n++)
        {
            for (var c = 0; c < Channels; c++)
            {
                for (var y = 0; y < Height; y++)
                {
                    var source = _pixels.AsSpan((((n * Channels) + c) * Height * Width) + (y * Width), Width);
                    source.CopyTo(pixels.AsSpan((((n * Channels) + c) * h * w) + ((y + pad) * w) + pad));
                }
            }
        }

        return new ImageDataset(pixels, _labels, Channels, h, w, Classes);
    }

    /// <summary>The first <paramref name="count"/> samples (all when count exceeds the size).</summary>
    public ImageDataset Take(int count) => Slice(0, count);

    /// <summary>The samples from <paramref name="start"/> on, at most <paramref name="count"/> of them (a held-out part of a split, say).</summary>
    public ImageDataset Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (start < 0 || start > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, $"start must be in 0..{Count}");
        }

        count = Math.Min(count, Count - start);
        var perImage = Channels * Height * Width;
        return new ImageDataset(_pixels[(start * perImage)..((start + count) * perImage)], _labels[start..(start + count)], Channels, Height, Width, Classes);
    }

    /// <summary>The samples after the first <paramref name="count"/> (none when count exceeds the size), e.g. a held-out tail.</summary>
    public ImageDataset Skip(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        count = Math.Min(count, Count);
        var perImage = Channels * Height * Width;
        return new ImageDataset(_pixels[(count * perImage)..], _labels[count..], Channels, Height, Width, Classes);
    }
}
