using System.IO.Compression;
using PsTraining.Models.Data;

namespace PsTraining.Models.Tests.Data;

/// <summary>The IDX reader on the real Fashion-MNIST from Debian, and on corrupt files it must refuse clearly.</summary>
public sealed class FashionMnistTests
{
    [Fact]
    public void Real_training_split_has_60000_balanced_28x28_images()
    {
        var train = FashionMnist.Load("train");
        Assert.Equal(60000, train.Count);
        Assert.Equal([1L, 28, 28], train.SampleShape);
        var perClass = new int[10];
        for (var i = 0; i < train.Count; i++)
        {
            perClass[train.Label(i)]++;
        }

        // Fashion-MNIST is balanced by construction: 6,000 training images per class.
        Assert.All(perClass, n => Assert.Equal(6000, n));

        // The training set's mean pixel, a figure published with the data set and used for normalisation everywhere: 0.2860.
        var sum = 0L;
        for (var i = 0; i < train.Count; i++)
        {
            foreach (var p in train.Pixels(i))
            {
                sum += p;
            }
        }

        Assert.Equal(0.2860, sum / 255.0 / (train.Count * 28.0 * 28.0), 4);
    }

    [Fact]
    public void Real_test_split_batches_are_scaled_to_unit_range()
    {
        var test = FashionMnist.Load("test");
        Assert.Equal(10000, test.Count);
        var (images, labels) = test.Batch([0, 1, 2, 3]);
        using (images)
        using (labels)
        {
            Assert.Equal([4L, 1, 28, 28], images.shape);
            Assert.Equal([4L], labels.shape);
            var pixels = images.data<float>().ToArray();
            Assert.InRange(pixels.Min(), 0f, 0f);
            Assert.InRange(pixels.Max(), 0.5f, 1f);
            // Every pixel exactly byte / 255 (as PyTorch's ToTensor), image after image in the order asked for.
            var expected = new[] { 0, 1, 2, 3 }.SelectMany(i => test.Pixels(i).ToArray()).Select(p => p / 255f).ToArray();
            Assert.Equal(expected, pixels);
            Assert.Equal(test.Label(2), labels.data<long>()[2]);
        }
    }

    [Fact]
    public void Padding_centres_the_image_in_a_zero_border()
    {
        var test = FashionMnist.Load("test").Take(3);
        var padded = test.Padded(2);
        Assert.Equal([1L, 32, 32], padded.SampleShape);
        var inner = test.Pixels(1);
        var outer = padded.Pixels(1);
        Assert.Equal(inner[(5 * 28) + 7], outer[(7 * 32) + 9]);
        Assert.Equal(0, outer[0]);
        Assert.Equal(0, outer[(31 * 32) + 31]);
        Assert.Equal(inner.ToArray().Sum(b => (long)b), outer.ToArray().Sum(b => (long)b));
    }

    [Fact]
    public void Missing_directory_names_the_apt_package()
    {
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load("train", "/nonexistent/fashion"));
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
    }

    [Fact]
    public void Unknown_split_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => FashionMnist.Load("validation"));
        Assert.Contains("train or test", e.Message);
    }

    [Fact]
    public void Bad_magic_truncated_and_mismatched_files_get_clear_errors()
    {
        var dir = Directory.CreateTempSubdirectory("pst-idx").FullName;
        try
        {
            var bad = Path.Combine(dir, "bad.idx");
            File.WriteAllBytes(bad, [1, 2, 8, 1, 0, 0, 0, 1, 7]);
            Assert.Contains("not an IDX file", Assert.Throws<InvalidDataException>(() => IdxFile.Read(bad)).Message);

            var truncated = Path.Combine(dir, "truncated.idx");
            File.WriteAllBytes(truncated, [0, 0, 8, 1, 0, 0, 0, 10, 1, 2, 3]);
            Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => IdxFile.Read(truncated)).Message);

            var corruptGzip = Path.Combine(dir, "corrupt.gz");
            File.WriteAllBytes(corruptGzip, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff]);
            Assert.Contains("gzip", Assert.Throws<InvalidDataException>(() => IdxFile.Read(corruptGzip)).Message);

            // A well-formed pair whose counts disagree: 2 images, 3 labels.
            WriteGzip(Path.Combine(dir, "train-images-idx3-ubyte.gz"), [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 5, 6]);
            WriteGzip(Path.Combine(dir, "train-labels-idx1-ubyte.gz"), [0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3]);
            Assert.Contains("3 labels", Assert.Throws<InvalidDataException>(() => FashionMnist.Load("train", dir)).Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void WriteGzip(string path, byte[] content)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(content);
    }
}
