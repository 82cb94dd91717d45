using System.Reflection;
using MedAnomaly.Benchmarks;
using MedAnomaly.Runtime;

TorchNative.EnsureLoaded();
if (OpenMpBenchmark.TryRunChild(args)) return 0;   // a child process of the openmp benchmark

// Runs the benchmarks named on the command line ("all" runs every one). Each benchmark is a class
// implementing IBenchmark in this project; it prints its own measurements and a ratio against a peer
// (PyTorch, scikit-learn, ...) measured in the same run.
var benchmarks = typeof(IBenchmark).Assembly.GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name)
    .ToList();

if (args.Length == 0 || args.Contains("--help"))
{
    Console.WriteLine("usage: MedAnomaly.Benchmarks all | NAME...  [--quick]");
    foreach (var b in benchmarks) Console.WriteLine($"  {b.Name,-12} {b.Description}");
    return 0;
}
bool quick = args.Contains("--quick");
var names = args.Where(a => !a.StartsWith("--")).ToList();
var selected = names.Contains("all") ? benchmarks : benchmarks.Where(b => names.Contains(b.Name)).ToList();
if (selected.Count == 0) { Console.Error.WriteLine($"no benchmark named {string.Join(", ", names)}"); return 2; }
Console.WriteLine($"Python peers: {Peer.Python}; their BLAS: {Peer.BlasDescription()}");
foreach (var b in selected)
{
    Console.WriteLine($"== {b.Name}: {b.Description}");
    b.Run(quick);
}
return 0;
