namespace MedAnomaly.Viz;

/// <summary>Maps values in [0,1] to RGB. Grey for images, "inferno" (matplotlib's, sampled at 9 points and
/// interpolated linearly) for residual/anomaly maps.</summary>
public static class Colormap
{
    static readonly byte[,] InfernoAnchors =
    {
        { 0, 0, 4 }, { 31, 12, 72 }, { 85, 15, 109 }, { 136, 34, 106 }, { 186, 54, 85 },
        { 227, 89, 51 }, { 249, 140, 10 }, { 249, 201, 50 }, { 252, 255, 164 },
    };

    public static (byte R, byte G, byte B) Grey(double v)
    {
        byte g = ToByte(v);
        return (g, g, g);
    }

    public static (byte R, byte G, byte B) Inferno(double v)
    {
        v = Math.Clamp(double.IsNaN(v) ? 0 : v, 0, 1) * (InfernoAnchors.GetLength(0) - 1);
        int i = Math.Min((int)v, InfernoAnchors.GetLength(0) - 2);
        double f = v - i;
        byte Mix(int channel) => (byte)Math.Round(InfernoAnchors[i, channel] * (1 - f) + InfernoAnchors[i + 1, channel] * f);
        return (Mix(0), Mix(1), Mix(2));
    }

    static byte ToByte(double v) => (byte)Math.Round(Math.Clamp(double.IsNaN(v) ? 0 : v, 0, 1) * 255);
}
