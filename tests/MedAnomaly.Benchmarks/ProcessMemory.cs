namespace MedAnomaly.Benchmarks;

/// <summary>Resident set size and page-fault count of this process, from /proc/self (Linux).</summary>
public static class ProcessMemory
{
    public static double RssMegabytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:"))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        return double.NaN;
    }

    /// <summary>Minor page faults so far (field 10 of /proc/self/stat): pages the kernel had to map in.</summary>
    public static long MinorFaults()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var afterName = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(afterName[7]);
    }
}
