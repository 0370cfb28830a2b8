using System.Buffers.Binary;
using System.Text;

namespace PsTraining.Models.Tests.Torch;

/// <summary>
/// The GNU symbol-version sections of a little-endian ELF64 shared library, read from its section headers: the versions
/// it requires of other libraries (.gnu.version_r) and those it defines (.gnu.version_d). Written apart from
/// build/WeakenSymbolVersion.cs, so that the test checks that build step against a second reading of the format.
/// </summary>
internal static class ElfVersions
{
    /// <summary>VER_FLG_WEAK: a requirement whose absence is only a warning.</summary>
    public const ushort WeakFlag = 0x2;

    private const uint VersionNeedSection = 0x6ffffffe; // SHT_GNU_verneed
    private const uint VersionDefinitionSection = 0x6ffffffd; // SHT_GNU_verdef

    /// <summary>Each required version: the library that must provide it, its name, its vna_flags and their file offset.</summary>
    public static List<(string Library, string Version, ushort Flags, int FlagsOffset)> Needs(byte[] elf)
    {
        var result = new List<(string, string, ushort, int)>();
        foreach (var (offset, count, strings) in Sections(elf, VersionNeedSection))
        {
            // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
            // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
            var need = offset;
            for (var i = 0; i < count; i++)
            {
                var library = Name(elf, strings, U32(elf, need + 4));
                var aux = need + (int)U32(elf, need + 8);
                for (var j = 0; j < U16(elf, need + 2); j++)
                {
                    result.Add((library, Name(elf, strings, U32(elf, aux + 8)), U16(elf, aux + 4), aux + 4));
                    aux += (int)U32(elf, aux + 12);
                }

                need += (int)U32(elf, need + 12);
            }
        }

        return result;
    }

    /// <summary>The version names that the library defines (for libstdc++: GLIBCXX_3.4, ..., GLIBCXX_3.4.30, ...).</summary>
    public static List<string> Definitions(byte[] elf)
    {
        var result = new List<string>();
        foreach (var (offset, count, strings) in Sections(elf, VersionDefinitionSection))
        {
            // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32;
            // its first Elf64_Verdaux (vda_name u32, vda_next u32) names it.
            var definition = offset;
            for (var i = 0; i < count; i++)
            {
                result.Add(Name(elf, strings, U32(elf, definition + (int)U32(elf, definition + 12))));
                definition += (int)U32(elf, definition + 16);
            }
        }

        return result;
    }

    /// <summary>Each section of <paramref name="type"/>: its file offset, sh_info (the entry count) and the file offset of its linked string table.</summary>
    private static IEnumerable<(int Offset, int Count, int Strings)> Sections(byte[] elf, uint type)
    {
        if (elf.Length < 64 || !elf.AsSpan(0, 4).SequenceEqual("\u007fELF"u8) || elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("not a little-endian ELF64 file");
        }

        var table = checked((int)U64(elf, 0x28)); // e_shoff
        int entrySize = U16(elf, 0x3a); // e_shentsize
        int count = U16(elf, 0x3c); // e_shnum
        for (var i = 0; i < count; i++)
        {
            // Elf64_Shdr: sh_name u32, sh_type u32, sh_flags u64, sh_addr u64, sh_offset u64, sh_size u64, sh_link u32, sh_info u32, ...
            var header = table + (i * entrySize);
            if (U32(elf, header + 4) == type)
            {
                var link = table + ((int)U32(elf, header + 40) * entrySize);
                yield return (checked((int)U64(elf, header + 24)), (int)U32(elf, header + 44), checked((int)U64(elf, link + 24)));
            }
        }
    }

    private static string Name(byte[] elf, int strings, uint offset)
    {
        var start = strings + (int)offset;
        var length = elf.AsSpan(start).IndexOf((byte)0);
        return Encoding.ASCII.GetString(elf, start, length);
    }

    private static ushort U16(byte[] elf, int at) => BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(at, 2));

    private static uint U32(byte[] elf, int at) => BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(at, 4));

    private static ulong U64(byte[] elf, int at) => BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(at, 8));
}
