namespace MedAnomaly.Tests.Experiments;

/// <summary>Makes a run store unreadable the way a bad disk or a torn copy does, keeping its header.</summary>
internal static class DamagedStore
{
    /// <summary>Overwrites every page but the first (the SQLite header and the schema) with a byte pattern.</summary>
    public static void Damage(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int pageSize = (bytes[16] << 8) | bytes[17];
        Assert.True(bytes.Length >= 4 * pageSize, $"the store has {bytes.Length / pageSize} pages");
        for (int i = pageSize; i < bytes.Length; i++) bytes[i] = (byte)(0x5A ^ i);
        File.WriteAllBytes(path, bytes);
    }
}
