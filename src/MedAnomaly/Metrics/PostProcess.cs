namespace MedAnomaly.Metrics;

/// <summary>Post-processing commonly applied to anomaly maps before metrics (Behrendt et al.; Baur et al.):
/// a k×k median filter on each slice and removal of small connected components from a binarised map.</summary>
public static class PostProcess
{
    /// <summary>k×k median filter of each image of maps [N,H,W] (k odd), borders mirrored as SciPy's
    /// <c>ndimage.median_filter(size=(1,k,k), mode="reflect")</c> (d c b a | a b c d). Returns a new array.</summary>
    public static float[] MedianFilter(ReadOnlySpan<float> maps, int imageCount, int height, int width, int k)
    {
        CheckShape(maps.Length, imageCount, height, width, "maps");
        if (k < 1 || k % 2 == 0) throw new ArgumentException($"median filter size must be odd and ≥ 1, got {k}");
        var output = new float[maps.Length];
        var window = new float[k * k];
        int r = k / 2;
        for (int n = 0; n < imageCount; n++)
        {
            var image = maps.Slice(n * height * width, height * width);
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    int w = 0;
                    for (int dy = -r; dy <= r; dy++)
                    {
                        int row = Reflect(y + dy, height) * width;
                        for (int dx = -r; dx <= r; dx++) window[w++] = image[row + Reflect(x + dx, width)];
                    }
                    Array.Sort(window);
                    output[n * height * width + y * width + x] = window[k * k / 2];
                }
        }
        return output;
    }

    /// <summary>SciPy's "reflect" boundary: −1 → 0, −2 → 1, n → n−1 (repeated for windows wider than the image).</summary>
    static int Reflect(int i, int n)
    {
        while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - i - 1;
        return i;
    }

    /// <summary>Removes from each image of a binary mask [N,H,W] the connected components (8-connected, or
    /// 4-connected) with fewer than <paramref name="minSize"/> pixels, as
    /// <c>scipy.ndimage.label</c> + size filter would. Returns a new mask.</summary>
    public static bool[] RemoveSmallComponents(ReadOnlySpan<bool> mask, int imageCount, int height, int width, int minSize, int connectivity = 8)
    {
        CheckShape(mask.Length, imageCount, height, width, "mask");
        if (connectivity is not (4 or 8)) throw new ArgumentException($"connectivity must be 4 or 8, got {connectivity}");
        var output = mask.ToArray();
        var visited = new bool[height * width];
        var component = new List<int>();
        var stack = new Stack<int>();
        for (int n = 0; n < imageCount; n++)
        {
            var image = output.AsSpan(n * height * width, height * width);
            Array.Clear(visited);
            for (int start = 0; start < image.Length; start++)
            {
                if (!image[start] || visited[start]) continue;
                CollectComponent(image, visited, start, height, width, connectivity, component, stack);
                if (component.Count < minSize) foreach (int p in component) image[p] = false;
            }
        }
        return output;
    }

    static void CollectComponent(Span<bool> image, bool[] visited, int start, int height, int width, int connectivity, List<int> component, Stack<int> stack)
    {
        component.Clear();
        stack.Push(start); visited[start] = true;
        while (stack.Count > 0)
        {
            int p = stack.Pop(); component.Add(p);
            int y = p / width, x = p % width;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    if ((dx == 0 && dy == 0) || (connectivity == 4 && dx != 0 && dy != 0)) continue;
                    int yy = y + dy, xx = x + dx;
                    if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
                    int q = yy * width + xx;
                    if (image[q] && !visited[q]) { visited[q] = true; stack.Push(q); }
                }
        }
    }

    static void CheckShape(long length, int imageCount, int height, int width, string name)
    {
        if (imageCount < 0 || height <= 0 || width <= 0 || length != (long)imageCount * height * width)
            throw new ArgumentException($"{name} hold {length} values, expected N·H·W = {imageCount}·{height}·{width}");
    }
}
