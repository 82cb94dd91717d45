using MedAnomaly.Torch.Native;
using static MedAnomaly.Torch.Native.NativeMethods;

namespace MedAnomaly.Torch;

/// <summary>
/// A seeded random-number generator (libtorch's CPU generator, Philox-free mt19937 as in PyTorch), so
/// <c>torch.randn(shape, generator: new Generator(0))</c> gives PyTorch's numbers for
/// <c>torch.Generator().manual_seed(0)</c>. Tensors for other devices are drawn on the CPU and moved, so a
/// seed gives the same numbers on every device.
/// </summary>
public sealed class Generator : IDisposable
{
    internal readonly GeneratorHandle Handle;
    internal static readonly GeneratorHandle NullHandle = new(IntPtr.Zero);

    public Generator(ulong seed) => Handle = new GeneratorHandle(Check.Handle(mat_generator_new(seed), "Generator"));

    /// <summary>Re-seeds in place and returns this generator.</summary>
    public Generator manual_seed(ulong seed)
    {
        Check.Status(mat_generator_seed(Handle, seed), nameof(manual_seed));
        return this;
    }

    public void Dispose() => Handle.Dispose();
}
