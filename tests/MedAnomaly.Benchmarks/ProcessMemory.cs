namespace MedAnomaly.Benchmarks;

/// <summary>Resident set size of this process, from /proc/self/status (Linux).</summary>
public static class ProcessMemory
{
    public static double RssMegabytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:"))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        return double.NaN;
    }
}
