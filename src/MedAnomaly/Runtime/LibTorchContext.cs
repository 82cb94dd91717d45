using System.Runtime.InteropServices;

namespace MedAnomaly.Runtime;

/// <summary>
/// Switches of libtorch's global <c>at::Context</c> that TorchSharp 0.107 does not expose, reached through the
/// symbols libtorch_cpu.so exports (Itanium C++ ABI: the context pointer is a member function's first argument).
/// Linux only; <see cref="TorchNative.EnsureLoaded"/> calls it with the handle of the libtorch_cpu.so it loaded.
/// </summary>
public static class LibTorchContext
{
    const string GlobalContext = "_ZN2at13globalContextEv";                       // at::globalContext()
    const string SetUserEnabledNnpack = "_ZN2at7Context20setUserEnabledNNPACKEb"; // at::Context::setUserEnabledNNPACK(bool)
    const string UserEnabledNnpack = "_ZNK2at7Context17userEnabledNNPACKEv";      // at::Context::userEnabledNNPACK() const

    static IntPtr torchCpu;

    /// <summary>
    /// Turns NNPACK off, as PyTorch's <c>torch.backends.nnpack.set_flags(False)</c> does. libtorch 2.10 asks
    /// <c>_nnpack_available()</c> before any other condition of a convolution that oneDNN does not take (a float64
    /// <c>conv1d</c>, such as <see cref="Corruptions.GaussianBlur"/>'s), and where NNPACK cannot start (this VM:
    /// "Unsupported hardware") it logs a warning on every such call: 13,000 lines in one benchmark run, which
    /// would bury a notebook's output. NNPACK is a mobile backend that libtorch's x86 builds prefer oneDNN over.
    /// </summary>
    public static unsafe void DisableNnpack(IntPtr libtorchCpu)
    {
        torchCpu = libtorchCpu;
        var set = (delegate* unmanaged<IntPtr, byte, void>)NativeLibrary.GetExport(libtorchCpu, SetUserEnabledNnpack);
        set(Context(), 0);
    }

    /// <summary>libtorch's NNPACK switch as it stands (false once <see cref="DisableNnpack"/> ran).</summary>
    public static unsafe bool NnpackEnabled()
    {
        if (torchCpu == IntPtr.Zero) throw new InvalidOperationException("libtorch_cpu.so is not loaded yet: call TorchNative.EnsureLoaded() first");
        var get = (delegate* unmanaged<IntPtr, byte>)NativeLibrary.GetExport(torchCpu, UserEnabledNnpack);
        return get(Context()) != 0;
    }

    static unsafe IntPtr Context() => ((delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(torchCpu, GlobalContext))();
}
