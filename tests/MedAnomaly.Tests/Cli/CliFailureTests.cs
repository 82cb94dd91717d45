using System.IO.Compression;
using MedAnomaly.Data;
using MedAnomaly.Experiments;
using MedAnomaly.Tests.Experiments;
using MedAnomaly.Tests.TestSupport;
using Microsoft.Data.Sqlite;
using TorchSharp;

namespace MedAnomaly.Tests.Cli;

/// <summary>
/// Every mistake of issue #18's table, made through the built `medanomaly` in its own process: each ends with exit
/// code 1 and one "error:" line on stderr that names the file, key or run and what was expected, with no stack frame,
/// and records nothing (no run row, no store created where none was, no half-written output).
/// </summary>
public sealed class CliFailureTests : IDisposable
{
    readonly TempFolder temp = new();
    string Data => temp.File("phantom");
    string StorePath => temp.File("runs", "medanomaly.db");

    public CliFailureTests() => PhantomSet.Write(Data, volumes: 3, size: 32, seed: 0, testFraction: 0.34);

    public void Dispose() => temp.Dispose();

    string[] Train(string data, string method = "ae", params string[] extra) =>
        ["train", "--method", method, "--data", data, "--preset", "tiny", "--store", StorePath, .. extra];

    string CopyOfData(string name)
    {
        string copy = temp.File(name);
        foreach (var file in Directory.EnumerateFiles(Data, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(copy, Path.GetRelativePath(Data, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return copy;
    }

    void AssertNothingRecorded() =>
        Assert.False(File.Exists(StorePath) && RunStore.OpenReadOnly(StorePath).ListRuns().Count > 0, "a failed command recorded a run");

    [Fact]
    public void TruncatedVolumeInTheTrainingSet()
    {
        string data = CopyOfData("truncated");
        string file = Path.Combine(data, "train", "phantom_0000.nii.gz");
        File.WriteAllBytes(file, File.ReadAllBytes(file)[..1500]);
        CliProcess.Run(Train(data)).AssertOneLineError("train/phantom_0000.nii.gz", "truncated");
        Assert.False(File.Exists(StorePath));
    }

    [Fact]
    public void VolumeClaimingAThousandCubedVoxelsInTheTrainingSet()
    {
        string data = CopyOfData("huge");
        string file = Path.Combine(data, "train", "phantom_0000.nii.gz");
        byte[] nifti;
        using (var gz = new GZipStream(File.OpenRead(file), CompressionMode.Decompress)) { var m = new MemoryStream(); gz.CopyTo(m); nifti = m.ToArray(); }
        for (int axis = 1; axis <= 3; axis++) BitConverter.TryWriteBytes(nifti.AsSpan(40 + 2 * axis), (short)1000);   // dim[1..3]
        using (var gz = new GZipStream(File.Create(file), CompressionLevel.Fastest)) gz.Write(nifti);
        CliProcess.Run(Train(data)).AssertOneLineError("train/phantom_0000.nii.gz", "(1000, 1000, 1000)");
        Assert.False(File.Exists(StorePath));
    }

    [Theory]
    [InlineData("score")]
    [InlineData("eval")]
    [InlineData("runs show")]
    public void UnknownRunId(string command)
    {
        RunStore.Open(StorePath);
        string[] args = command == "runs show" ? ["runs", "show", "42"] : [command, "--run", "42"];
        CliProcess.Run([.. args, "--store", StorePath]).AssertOneLineError($"run 42 is not in {StorePath}", "medanomaly runs list");
    }

    [Theory]
    [InlineData("runs list")]
    [InlineData("runs show 1")]
    [InlineData("train")]
    public void StoreWithDamagedPages(string command)
    {
        var store = RunStore.Open(StorePath);
        for (int i = 0; i < 200; i++) store.CompleteRun(store.BeginRun(new RunInfo("ae", "phantom", "{}", i, "medanomaly train")), []);
        SqliteConnection.ClearAllPools();
        DamagedStore.Damage(StorePath);
        var damaged = File.ReadAllBytes(StorePath);
        string[] args = command == "train" ? Train(Data) : [.. command.Split(' '), "--store", StorePath];
        CliProcess.Run(args).AssertOneLineError($"run store '{StorePath}' is damaged", "SQLite Error 11: 'database disk image is malformed'");
        Assert.Equal(damaged, File.ReadAllBytes(StorePath));
    }

    [Theory]
    [InlineData("runs list")]
    [InlineData("train")]
    public void AnotherProgramsSqliteFileWithARunsTable(string command)
    {
        string other = temp.File("other.db");
        using (var connection = new SqliteConnection($"Data Source={other};Pooling=False"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE runs (id INTEGER PRIMARY KEY, note TEXT); INSERT INTO runs (note) VALUES ('not yours')";
            create.ExecuteNonQuery();
        }
        var before = File.ReadAllBytes(other);
        string[] args = command == "train" ? [.. Train(Data)[..^1], other] : ["runs", "list", "--store", other];
        CliProcess.Run(args).AssertOneLineError($"'{other}' is a SQLite database but not a MedAnomaly run store", "tables: runs");
        Assert.Equal(before, File.ReadAllBytes(other));
    }

    [Theory]
    [InlineData("runs list")]
    [InlineData("train")]
    public void EmptyFileAsStore(string command)
    {
        string empty = temp.File("empty.db");
        File.WriteAllBytes(empty, []);
        string[] args = command == "train" ? [.. Train(Data)[..^1], empty] : ["runs", "list", "--store", empty];
        CliProcess.Run(args).AssertOneLineError($"'{empty}' is an empty file (0 bytes), not a MedAnomaly run store");
        Assert.Equal(0, new FileInfo(empty).Length);
    }

    [Theory]
    [InlineData("dae", "Network.Channels=[]", "UNet2dConfig.Channels = []: expected one channel count per resolution level")]
    [InlineData("dae", "Network.GroupNormGroups=3", "UNet2dConfig.GroupNormGroups = 3: expected a divisor of every channel count (Channels = [16, 32])")]
    [InlineData("ddpm", "Network.AttentionHeads=3", "UNet2dConfig.AttentionHeads = 3")]
    [InlineData("ae", "Network.WidthMultipliers=[]", "ConvAutoencoderConfig.WidthMultipliers = []")]
    [InlineData("ae", "steps=-5", "training option Steps = -5: expected at least 1 step")]
    [InlineData("ae", "batchSize=0", "training option BatchSize = 0: expected at least 1 slice per batch")]
    [InlineData("ae", "batchSize=100000", "fewer than one batch of 100000")]
    [InlineData("vae", "checkpointSeconds=-1", "training option CheckpointSeconds = -1")]
    public void BadSettingIsRefusedBeforeAnythingIsRecorded(string method, string setting, string expected)
    {
        CliProcess.Run(Train(Data, method, "--set", setting)).AssertOneLineError(expected);
        AssertNothingRecorded();
        Assert.False(Directory.Exists(temp.File("runs", "checkpoints")), "a checkpoint folder was made");
    }

    [Fact]
    public void CudaOnAMachineWithoutIt()
    {
        if (torch.cuda.is_available()) return;   // the case needs a process that cannot reach CUDA
        CliProcess.Run(Train(Data, "ae", "--device", "cuda")).AssertOneLineError("training option Device = cuda: CUDA is not available in this process");
        Assert.False(File.Exists(StorePath));
    }

    [Theory]
    [InlineData("--size", "5", "phantom size must be in [16, 512], got 5")]
    [InlineData("--volumes", "1", "--volumes 1 with --test-fraction 0.3 gives 1 training and 0 test volume(s); expected at least one of each")]
    [InlineData("--test-fraction", "1", "gives 0 training and 4 test volume(s)")]
    public void PhantomThatCannotBeMade(string option, string value, string expected)
    {
        string output = temp.File("new-phantom");
        var options = new Dictionary<string, string> { ["--out"] = output, ["--volumes"] = "4", ["--size"] = "16", [option] = value };
        CliProcess.Run(["data", "phantom", .. options.SelectMany(o => new[] { o.Key, o.Value })]).AssertOneLineError(expected);
        Assert.False(Directory.Exists(output), "an output folder was left behind");
    }

    [Fact]
    public void MetricsOnOneClassOnly()
    {
        string scores = temp.File("scores.npy"), maps = temp.File("maps.npy"), labels = temp.File("labels.npy"), masks = temp.File("masks.npy");
        Npy.Write(scores, [0.1f, 0.4f, 0.2f, 0.9f], 4);
        Npy.Write(labels, new float[4], 4);
        Npy.Write(maps, Enumerable.Range(0, 4 * 8 * 8).Select(i => (float)Math.Sin(i)).ToArray(), 4, 8, 8);
        Npy.Write(masks, new float[4 * 8 * 8], 4, 8, 8);
        string hint = "pass --one-class nan to print NaN for them instead";
        CliProcess.Run("metrics", "--scores", scores, "--labels", labels)
            .AssertOneLineError("image labels contain only negatives (0 positive, 4 negative); AUROC, AP and best Dice need both classes", hint);
        CliProcess.Run("metrics", "--scores", maps, "--masks", masks).AssertOneLineError("image labels contain only negatives", hint);
        Npy.Write(temp.File("mixed.npy"), [0f, 1f, 0f, 1f], 4);
        CliProcess.Run("metrics", "--scores", maps, "--masks", masks, "--labels", temp.File("mixed.npy"))
            .AssertOneLineError("lesion masks contain only negatives (0 positive, 256 negative)", hint);

        var nan = CliProcess.Run("metrics", "--scores", scores, "--labels", labels, "--one-class", "nan");
        Assert.True(nan.Code == 0, nan.Output);
        Assert.Matches(@"AUROC\s+NaN", nan.Stdout);
        CliProcess.Run("metrics", "--scores", scores, "--labels", labels, "--one-class", "maybe").AssertOneLineError("--one-class must be error or nan, got 'maybe'");
    }

    /// <summary>A store in a folder and file nobody may write (run as user nobody when the tests run as root, who may
    /// write anything): the reading commands work and leave it as it was.</summary>
    [Theory, System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    [InlineData("runs list", "completed")]
    [InlineData("runs show 1", "run 1: ae on phantom")]
    [InlineData("runs table", "| ae |")]
    public void ReadingAReadOnlyStore(string command, string expected)
    {
        string folder = temp.File("readonly");
        string path = Path.Combine(folder, "medanomaly.db");
        var store = RunStore.Open(path);
        store.CompleteRun(store.BeginRun(new RunInfo("ae", "phantom", "{}", 0, "medanomaly train")), [new MetricValue("test", "pixel_auroc", 0.75)]);
        SqliteConnection.ClearAllPools();   // the last connection closes: no -wal or -shm file is left
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var readAndEnter = UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                           | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(folder, readAndEnter);
        File.SetUnixFileMode(temp.Path, readAndEnter | UnixFileMode.UserWrite);
        try
        {
            string[] asNobody = Environment.UserName == "root" ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
            var result = CliProcess.Wait(CliProcess.Start([.. command.Split(' '), "--store", path], new Dictionary<string, string?> { ["HOME"] = "/tmp" }, asNobody));
            Assert.True(result.Code == 0, result.Output);
            Assert.Contains(expected, result.Stdout);
            Assert.Equal(["medanomaly.db"], Directory.EnumerateFiles(folder).Select(Path.GetFileName));
        }
        finally { File.SetUnixFileMode(folder, readAndEnter | UnixFileMode.UserWrite); }
    }

    [Fact]
    public void ACommandLineThatDoesNotParse()
    {
        var result = CliProcess.Run("data", "phantom", "--out", temp.File("x"), "--size", "5", "--size", "6");
        result.AssertOneLineError("Option '--size' expects a single argument but 2 were provided");
        Assert.Equal("hint: `medanomaly data phantom --help` lists the options", result.ErrorLines[1]);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void VerbosePrintsTheStackTrace()
    {
        var result = CliProcess.Run("runs", "show", "42", "--store", temp.File("none.db"), "--verbose");
        Assert.Equal(1, result.Code);
        Assert.StartsWith("error: no run store at", result.ErrorLines[0]);
        Assert.Contains("System.IO.FileNotFoundException", result.Stderr);
        Assert.Matches(@"(?m)^\s+at MedAnomaly\.", result.Stderr);
    }
}
