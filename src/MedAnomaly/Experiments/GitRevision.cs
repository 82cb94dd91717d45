namespace MedAnomaly.Experiments;

/// <summary>Reads the commit a checkout is at straight from its <c>.git</c> files, so recording a run needs no
/// <c>git</c> executable. Handles loose and packed refs, a detached HEAD, and worktrees (<c>.git</c> as a file).</summary>
public static class GitRevision
{
    /// <summary>The commit id (40 hex; 64 in SHA-256 repositories) of the checkout containing
    /// <paramref name="directory"/>, or null when there is no <c>.git</c> above it, HEAD names a branch with no
    /// commit yet, or a ref file is malformed.</summary>
    public static string? TryRead(string directory)
    {
        string? gitDir = FindGitDir(Path.GetFullPath(directory));
        if (gitDir is null) return null;
        string head = File.ReadAllText(Path.Combine(gitDir, "HEAD")).Trim();
        if (!head.StartsWith("ref:", StringComparison.Ordinal)) return IsHash(head) ? head : null;
        return ResolveRef(gitDir, head["ref:".Length..].Trim());
    }

    /// <summary>The first <c>.git</c> folder (or the folder a <c>.git</c> file points to) at or above the start.</summary>
    static string? FindGitDir(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, ".git");
            if (Directory.Exists(candidate)) return candidate;
            if (File.Exists(candidate)) return FollowGitFile(candidate);
        }
        return null;
    }

    /// <summary>A worktree's or submodule's <c>.git</c> file holds one line, <c>gitdir: PATH</c> (PATH may be relative).</summary>
    static string? FollowGitFile(string file)
    {
        string line = File.ReadAllText(file).Trim();
        if (!line.StartsWith("gitdir:", StringComparison.Ordinal)) return null;
        string target = line["gitdir:".Length..].Trim();
        return Path.GetFullPath(target, Path.GetDirectoryName(file)!);
    }

    /// <summary>Branch refs live in the shared ("common") git dir for worktrees; a loose ref file wins over packed-refs.</summary>
    static string? ResolveRef(string gitDir, string name)
    {
        foreach (string dir in new[] { gitDir, CommonDir(gitDir) }.Distinct())
        {
            string loose = Path.Combine(dir, name.Replace('/', Path.DirectorySeparatorChar));
            if (File.Exists(loose)) return Hash(File.ReadAllText(loose).Trim());
            string? packed = FromPackedRefs(Path.Combine(dir, "packed-refs"), name);
            if (packed is not null) return packed;
        }
        return null;
    }

    static string CommonDir(string gitDir)
    {
        string file = Path.Combine(gitDir, "commondir");
        return File.Exists(file) ? Path.GetFullPath(File.ReadAllText(file).Trim(), gitDir) : gitDir;
    }

    /// <summary>Lines are <c>HASH REFNAME</c>; comment lines start with <c>#</c>, peeled tags with <c>^</c>.</summary>
    static string? FromPackedRefs(string path, string name)
    {
        if (!File.Exists(path)) return null;
        foreach (string line in File.ReadLines(path))
        {
            var parts = line.Split(' ', 2);
            if (parts.Length == 2 && parts[1].Trim() == name) return Hash(parts[0]);
        }
        return null;
    }

    /// <summary>A malformed ref reads as "unknown" (null) rather than failing the run that asked.</summary>
    static string? Hash(string text) => IsHash(text) ? text : null;

    static bool IsHash(string text) => text.Length is 40 or 64 && text.All(Uri.IsHexDigit);
}
