using System.Buffers.Binary;
using System.Text;

namespace MedAnomaly.Runtime;

/// <summary>
/// Relaxes one versioned symbol requirement of an ELF64 little-endian shared library, in memory:
/// the symbol's entry in <c>.gnu.version</c> becomes global (version index 1, as
/// <c>patchelf --clear-symbol-version</c> does) and the version's entry in <c>.gnu.version_r</c> gets
/// <c>VER_FLG_WEAK</c> (0x2), so the loader only warns when the library that should define it is older.
/// Both are needed: with the symbol cleared alone, glibc still refuses the missing version entry.
/// Formats: System V gABI "Symbol Table", and the LSB "Symbol Versioning" sections (Elf64_Verneed/Vernaux).
/// </summary>
public static class ElfSymbolVersionPatch
{
    const uint SectionDynSym = 11, SectionVerSym = 0x6fffffff, SectionVerNeed = 0x6ffffffe;
    const ushort VersionIndexGlobal = 1, VersionFlagWeak = 0x2;
    const int SymbolSize = 24;

    /// <summary>Patches <paramref name="elf"/> in place.</summary>
    /// <returns>How many symbol entries and version entries were changed.</returns>
    /// <exception cref="InvalidDataException">Not an ELF64 LSB file, or without the sections named above.</exception>
    public static (int symbols, int versions) Apply(byte[] elf, string symbol, string version)
    {
        var sections = ReadSections(elf);
        var dynsym = Single(sections, SectionDynSym, ".dynsym");
        var versym = Single(sections, SectionVerSym, ".gnu.version");
        var verneed = Single(sections, SectionVerNeed, ".gnu.version_r");
        int symbols = ClearSymbolVersion(elf, dynsym, versym, sections[(int)dynsym.Link], symbol);
        int versions = MarkVersionWeak(elf, verneed, sections[(int)verneed.Link], version);
        return (symbols, versions);
    }

    readonly record struct Section(uint Type, long Offset, long Size, uint Link);

    static Section[] ReadSections(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F')
            throw new InvalidDataException("not an ELF file (no \\x7fELF magic)");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"only 64-bit little-endian ELF is supported (class {elf[4]}, data {elf[5]})");
        long offset = (long)U64(elf, 0x28);
        int entrySize = U16(elf, 0x3A), count = U16(elf, 0x3C);
        if (entrySize < 64 || offset <= 0 || offset + (long)entrySize * count > elf.Length)
            throw new InvalidDataException($"section header table out of range (offset {offset}, {count} × {entrySize} bytes, file {elf.Length} bytes)");
        var sections = new Section[count];
        for (int i = 0; i < count; i++)
        {
            int at = checked((int)(offset + (long)i * entrySize));
            sections[i] = new Section(U32(elf, at + 4), (long)U64(elf, at + 24), (long)U64(elf, at + 32), U32(elf, at + 40));
            if (sections[i].Type != 8 /* SHT_NOBITS */ && sections[i].Offset + sections[i].Size > elf.Length)
                throw new InvalidDataException($"section {i} runs past the end of the file");
        }
        return sections;
    }

    static Section Single(Section[] sections, uint type, string name)
    {
        var found = sections.Where(s => s.Type == type).ToArray();
        return found.Length == 1 ? found[0] : throw new InvalidDataException($"expected one {name} section, found {found.Length}");
    }

    static int ClearSymbolVersion(byte[] elf, Section dynsym, Section versym, Section strings, string symbol)
    {
        int changed = 0;
        long count = dynsym.Size / SymbolSize;
        for (int i = 0; i < count; i++)
        {
            uint nameOffset = U32(elf, checked((int)(dynsym.Offset + (long)i * SymbolSize)));
            if (String(elf, strings, nameOffset) != symbol) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(checked((int)(versym.Offset + 2L * i))), VersionIndexGlobal);
            changed++;
        }
        return changed;
    }

    /// <summary>Walks Elf64_Verneed (vn_cnt at +2, vn_aux at +8, vn_next at +12) and its Elf64_Vernaux
    /// entries (vna_flags at +4, vna_name at +8, vna_next at +12).</summary>
    static int MarkVersionWeak(byte[] elf, Section verneed, Section strings, string version)
    {
        int changed = 0;
        long need = verneed.Offset;
        for (int guard = 0; guard < 4096; guard++)
        {
            int auxCount = U16(elf, checked((int)need + 2));
            long aux = need + U32(elf, checked((int)need + 8));
            for (int k = 0; k < auxCount; k++)
            {
                if (String(elf, strings, U32(elf, checked((int)aux + 8))) == version)
                {
                    int flags = checked((int)aux + 4);
                    BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(flags), (ushort)(U16(elf, flags) | VersionFlagWeak));
                    changed++;
                }
                aux += U32(elf, checked((int)aux + 12));
            }
            uint next = U32(elf, checked((int)need + 12));
            if (next == 0) return changed;
            need += next;
        }
        throw new InvalidDataException(".gnu.version_r has a loop or more than 4096 entries");
    }

    static string String(byte[] elf, Section table, uint offset)
    {
        long start = table.Offset + offset;
        int end = Array.IndexOf(elf, (byte)0, checked((int)start), checked((int)(table.Offset + table.Size - start)));
        if (end < 0) throw new InvalidDataException("unterminated string in a string table");
        return Encoding.ASCII.GetString(elf, (int)start, end - (int)start);
    }

    static ushort U16(byte[] b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at, 2));
    static uint U32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at, 4));
    static ulong U64(byte[] b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(at, 8));
}
