namespace PsTraining.Models.Data;

/// <summary>
/// The real Fashion-MNIST (Xiao et al. 2017) as Debian's <c>dataset-fashion-mnist</c> installs it:
/// gzip IDX files under /usr/share/datasets/fashion-mnist. 60,000 training and 10,000 test images,
/// 1×28×28, 10 classes. <c>PSTRAINING_FASHION_MNIST_DIR</c> points elsewhere.
/// </summary>
public static class FashionMnist
{
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    public const string EnvironmentVariable = "PSTRAINING_FASHION_MNIST_DIR";

    public static readonly IReadOnlyList<string> ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The directory used when none is given: the environment variable, else Debian's location.</summary>
    public static string ResolveDirectory(string? directory = null)
    {
        if (!string.IsNullOrEmpty(directory))
        {
            return directory;
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrEmpty(fromEnvironment) ? DefaultDirectory : fromEnvironment;
    }

    /// <summary>Loads the "train" or "test" split.</summary>
    public static ImageDataset Load(string split, string? directory = null)
    {
        var prefix = split switch
        {
            "train" => "train",
            "test" => "t10k",
            _ => throw new ArgumentException($"unknown split '{split}': expected train or test", nameof(split)),
        };

        var dir = ResolveDirectory(directory);
        var imagesPath = Path.Combine(dir, $"{prefix}-images-idx3-ubyte.gz");
        var labelsPath = Path.Combine(dir, $"{prefix}-labels-idx1-ubyte.gz");
        foreach (var path in new[] { imagesPath, labelsPath })
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"Fashion-MNIST file '{path}' is missing; install it with: sudo apt-get install dataset-fashion-mnist (or set {EnvironmentVariable})", path);
            }
        }

        var (imageShape, pixels) = IdxFile.Read(imagesPath);
        var (labelShape, labels) = IdxFile.Read(labelsPath);
        if (imageShape.Length != 3 || labelShape.Length != 1)
        {
            throw new InvalidDataException($"'{imagesPath}' must be rank 3 and '{labelsPath}' rank 1; got ranks {imageShape.Length} and {labelShape.Length}");
        }

        if (imageShape[0] != labelShape[0])
        {
            throw new InvalidDataException($"'{imagesPath}' holds {imageShape[0]} images but '{labelsPath}' holds {labelShape[0]} labels");
        }

        return new ImageDataset(pixels, labels, 1, imageShape[1], imageShape[2], ClassNames);
    }
}
