using MedAnomaly.Experiments;

namespace MedAnomaly.Tests.Experiments;

public sealed class GitRevisionTests : IDisposable
{
    const string Commit = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
    const string Other = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    string Write(string relative, string text)
    {
        string path = Path.Combine(temp.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    string Subfolder()
    {
        string dir = Path.Combine(temp.Path, "src", "deep");
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public void ReadsALooseBranchRefFromASubfolder()
    {
        Write(".git/HEAD", "ref: refs/heads/main\n");
        Write(".git/refs/heads/main", Commit + "\n");
        Write(".git/packed-refs", $"# pack-refs with: peeled\n{Other} refs/heads/main\n"); // stale: the loose ref wins
        Assert.Equal(Commit, GitRevision.TryRead(Subfolder()));
    }

    [Fact]
    public void ReadsAPackedRef()
    {
        Write(".git/HEAD", "ref: refs/heads/feature/x\n");
        Write(".git/packed-refs", $"# pack-refs with: peeled fully-peeled sorted\n{Other} refs/heads/main\n{Commit} refs/heads/feature/x\n^{Other}\n");
        Assert.Equal(Commit, GitRevision.TryRead(temp.Path));
    }

    [Fact]
    public void ReadsADetachedHead() 
    {
        Write(".git/HEAD", Commit + "\n");
        Assert.Equal(Commit, GitRevision.TryRead(temp.Path));
    }

    [Fact]
    public void FollowsAWorktreeGitFileToTheCommonDir()
    {
        // main/.git is the repository; wt/.git is a file pointing at main/.git/worktrees/wt, whose refs live in main/.git.
        Write("main/.git/refs/heads/experiments", Commit);
        Write("main/.git/worktrees/wt/HEAD", "ref: refs/heads/experiments\n");
        Write("main/.git/worktrees/wt/commondir", "../..\n");
        Write("wt/.git", "gitdir: ../main/.git/worktrees/wt\n");
        Assert.Equal(Commit, GitRevision.TryRead(Path.Combine(temp.Path, "wt")));
    }

    [Fact]
    public void IsNullWithoutACommit()
    {
        Write(".git/HEAD", "ref: refs/heads/main\n");                 // a new repository: no commit yet
        Assert.Null(GitRevision.TryRead(temp.Path));
        Write(".git/refs/heads/main", "not a hash");
        Assert.Null(GitRevision.TryRead(temp.Path));
    }
}
