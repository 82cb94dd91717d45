using System.Runtime.InteropServices;
using static MedAnomaly.Torch.Native.NativeMethods;

namespace MedAnomaly.Torch.Native;

/// <summary>Turns the shim's failure values into TorchException with libtorch's message.</summary>
internal static class Check
{
    public static IntPtr Handle(IntPtr handle, string operation)
    {
        if (handle == IntPtr.Zero) throw LastError(operation);
        return handle;
    }

    public static void Status(int status, string operation)
    {
        if (status < 0) throw LastError(operation);
    }

    static TorchException LastError(string operation)
    {
        var message = Marshal.PtrToStringUTF8(mat_last_error()) ?? "libtorch reported a failure without a message";
        mat_clear_error();
        return new TorchException($"{operation}: {message.Trim()}");
    }
}
