using System.Diagnostics;
using static TorchSharp.torch;

namespace PsTraining.Models.Tests.Torch;

/// <summary>
/// The build step of build/LibTorchSharp.targets: where the system's libstdc++ lacks GLIBCXX_3.4.32 (Debian 12 stops at
/// 3.4.30), the copy of libLibTorchSharp.so in the output folder differs from the NuGet package's in exactly one byte,
/// the one that marks that version requirement weak; elsewhere the copy is the package's file. Either way TorchSharp loads.
/// </summary>
public sealed class LibTorchSharpPatchTests
{
    private const string Version = "GLIBCXX_3.4.32";
    private const string SystemLibStdCxx = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
    private const string RelativePath = "runtimes/linux-x64/native/libLibTorchSharp.so";

    [Fact]
    public void The_output_copy_differs_from_the_package_only_in_the_weak_flag_of_glibcxx_3_4_32()
    {
        var copyPath = Path.Combine(AppContext.BaseDirectory, RelativePath);
        var packagePath = PackageFile();
        Assert.True(File.Exists(copyPath), $"no {copyPath}");
        Assert.True(File.Exists(packagePath), $"no {packagePath}");
        var copy = File.ReadAllBytes(copyPath);
        var package = File.ReadAllBytes(packagePath);
        Assert.Equal(package.Length, copy.Length);

        var packageNeed = ElfVersions.Needs(package).Single(n => n.Version == Version);
        Assert.Equal("libstdc++.so.6", packageNeed.Library);
        Assert.Equal(0, packageNeed.Flags & ElfVersions.WeakFlag);
        var copyNeed = ElfVersions.Needs(copy).Single(n => n.Version == Version);
        var differing = Enumerable.Range(0, copy.Length).Where(i => copy[i] != package[i]).ToList();

        if (File.Exists(SystemLibStdCxx) && ElfVersions.Definitions(File.ReadAllBytes(SystemLibStdCxx)).Contains(Version))
        {
            // GCC 13 or newer (Debian 13, Ubuntu 24.04): the loader finds the version, the target leaves the copy alone.
            Assert.Empty(differing);
            return;
        }

        Assert.Equal([packageNeed.FlagsOffset], differing);
        Assert.Equal(packageNeed.FlagsOffset, copyNeed.FlagsOffset);
        Assert.Equal(packageNeed.Flags | ElfVersions.WeakFlag, copyNeed.Flags);
        Assert.Equal(
            ElfVersions.Needs(package).Where(n => n.Version != Version),
            ElfVersions.Needs(copy).Where(n => n.Version != Version));

        // binutils, where installed, reads the copy the same way.
        var readelf = ReadElfVersions(copyPath);
        if (readelf is not null)
        {
            Assert.Contains($"Name: {Version}  Flags: WEAK", readelf);
        }
    }

    [Fact]
    public void TorchSharp_loads_its_native_library()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(6f, (ones([2, 3]) * arange(3, ScalarType.Float32)).sum().item<float>());
        Assert.False(string.IsNullOrEmpty(__version__));
    }

    /// <summary>The package's file: under NUGET_PACKAGES, or the user's ~/.nuget/packages, at TorchSharp's version.</summary>
    private static string PackageFile()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var version = typeof(TorchSharp.torch).Assembly.GetName().Version!;
        return Path.Combine(packages, "torchsharp", $"{version.Major}.{version.Minor}.{version.Build}", RelativePath);
    }

    /// <summary><c>readelf -V</c> of the file, or null where binutils is not installed.</summary>
    private static string? ReadElfVersions(string path)
    {
        var start = new ProcessStartInfo("readelf") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-V");
        start.ArgumentList.Add(path);
        try
        {
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, stderr.Result);
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
