// An MSBuild task (compiled by RoslynCodeTaskFactory, see LibTorchSharp.targets) that marks one version requirement of
// an ELF shared library weak, in a copy of the library, so that the dynamic loader accepts a libstdc++ without that
// version. Why: TorchSharp's libLibTorchSharp.so asks for GLIBCXX_3.4.32 (GCC 13) for one symbol that nothing calls,
// std::ios_base_library_init(); Debian 12's libstdc++ stops at GLIBCXX_3.4.30, so the loader refuses the library.
// A weak version requirement (VER_FLG_WEAK in .gnu.version_r) that is missing is only a warning.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenSymbolVersion : Task
{
    /// <summary>The copy of the library to patch, in a build output folder; it is replaced by a patched file.</summary>
    [Required]
    public string Library { get; set; } = "";

    /// <summary>The version requirement to make weak, e.g. GLIBCXX_3.4.32.</summary>
    [Required]
    public string Version { get; set; } = "";

    /// <summary>The library that would provide the version at run time; when it defines the version, nothing is patched.</summary>
    [Required]
    public string Provider { get; set; } = "";

    public override bool Execute()
    {
        try
        {
            if (File.Exists(Provider) && Elf.Read(File.ReadAllBytes(Provider)).DefinesVersion(Version))
            {
                Log.LogMessage(MessageImportance.Low, $"{Provider} defines {Version}: {Library} is left as it is");
                return true;
            }

            var bytes = File.ReadAllBytes(Library);
            var changed = Elf.Read(bytes).MarkVersionNeedWeak(Version);
            if (changed)
            {
                // Delete before writing: the copy may be a hard link to the NuGet package's file, which must not change.
                File.Delete(Library);
                File.WriteAllBytes(Library, bytes);
                Log.LogMessage(MessageImportance.Normal, $"{Library}: marked its need of {Version} weak");
            }

            return true;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            Log.LogError($"cannot mark {Version} weak in {Library}: {e.Message}");
            return false;
        }
    }

    /// <summary>Just enough of a little-endian ELF64 file: its section headers and the GNU symbol-version sections.</summary>
    private sealed class Elf
    {
        private const uint VersionDefinitions = 0x6ffffffd; // SHT_GNU_verdef
        private const uint VersionNeeds = 0x6ffffffe; // SHT_GNU_verneed
        private const ushort WeakFlag = 0x2; // VER_FLG_WEAK

        private readonly byte[] _bytes;

        private Elf(byte[] bytes) => _bytes = bytes;

        public static Elf Read(byte[] bytes)
        {
            if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F')
            {
                throw new InvalidDataException("not an ELF file");
            }

            if (bytes[4] != 2 || bytes[5] != 1)
            {
                throw new InvalidDataException("not a little-endian 64-bit ELF file");
            }

            return new Elf(bytes);
        }

        /// <summary>Whether a version definition (.gnu.version_d) is named <paramref name="version"/>.</summary>
        public bool DefinesVersion(string version)
        {
            foreach (var (offset, count, strings) in Sections(VersionDefinitions))
            {
                var definition = offset;
                for (var i = 0; i < count; i++)
                {
                    // Elf64_Verdef: vd_version(2) vd_flags(2) vd_ndx(2) vd_cnt(2) vd_hash(4) vd_aux(4) vd_next(4);
                    // its first Elf64_Verdaux (vda_name(4) vda_next(4)) names it.
                    var aux = definition + U32(definition + 12);
                    if (String(strings + U32(aux)) == version)
                    {
                        return true;
                    }

                    definition += U32(definition + 16);
                }
            }

            return false;
        }

        /// <summary>Sets VER_FLG_WEAK on the requirement named <paramref name="version"/>; false when it was weak already.</summary>
        public bool MarkVersionNeedWeak(string version)
        {
            foreach (var (offset, count, strings) in Sections(VersionNeeds))
            {
                var need = offset;
                for (var i = 0; i < count; i++)
                {
                    // Elf64_Verneed: vn_version(2) vn_cnt(2) vn_file(4) vn_aux(4) vn_next(4), then vn_cnt
                    // Elf64_Vernaux: vna_hash(4) vna_flags(2) vna_other(2) vna_name(4) vna_next(4).
                    var aux = need + U32(need + 8);
                    for (var j = 0; j < U16(need + 2); j++)
                    {
                        if (String(strings + U32(aux + 8)) == version)
                        {
                            var flags = U16(aux + 4);
                            if ((flags & WeakFlag) != 0)
                            {
                                return false;
                            }

                            flags |= WeakFlag;
                            _bytes[aux + 4] = (byte)flags;
                            _bytes[aux + 5] = (byte)(flags >> 8);
                            return true;
                        }

                        aux += U32(aux + 12);
                    }

                    need += U32(need + 12);
                }
            }

            throw new InvalidDataException($"it has no requirement of {version}");
        }

        /// <summary>The file offset, entry count (sh_info) and string table offset (of sh_link) of each section of a type.</summary>
        private System.Collections.Generic.IEnumerable<(int Offset, int Count, int Strings)> Sections(uint type)
        {
            var table = checked((int)U64(0x28));
            var entrySize = U16(0x3a);
            var sections = U16(0x3c);
            for (var i = 0; i < sections; i++)
            {
                var header = table + i * entrySize;
                if ((uint)U32(header + 4) == type)
                {
                    var strings = table + U32(header + 40) * entrySize;
                    yield return (checked((int)U64(header + 24)), U32(header + 44), checked((int)U64(strings + 24)));
                }
            }
        }

        // The task factory compiles against .NET Standard 2.0: no spans, and BitConverter reads the machine's order,
        // which is little-endian wherever libtorch-cpu-linux-x64 runs.
        private ushort U16(int at) => BitConverter.ToUInt16(_bytes, Check(at, 2));

        private int U32(int at) => checked((int)BitConverter.ToUInt32(_bytes, Check(at, 4)));

        private ulong U64(int at) => BitConverter.ToUInt64(_bytes, Check(at, 8));

        private int Check(int at, int length) =>
            at >= 0 && at + length <= _bytes.Length ? at : throw new InvalidDataException($"truncated at offset {at}");

        private string String(int at)
        {
            var end = Array.IndexOf(_bytes, (byte)0, at);
            return end < 0 ? throw new InvalidDataException($"unterminated string at offset {at}") : Encoding.ASCII.GetString(_bytes, at, end - at);
        }
    }
}
