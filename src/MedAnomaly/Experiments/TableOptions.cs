namespace MedAnomaly.Experiments;

/// <summary>How a method × metric table is written.</summary>
public sealed record TableOptions
{
    /// <summary>Digits after the decimal point for means and standard deviations.</summary>
    public int Decimals { get; init; } = 3;

    /// <summary>Metrics where smaller is better (errors, times); all others are "higher is better" (AUROC, AP, Dice).</summary>
    public IReadOnlySet<string> LowerIsBetter { get; init; } = new HashSet<string>();

    /// <summary>Mark each column's best mean (bold in Markdown, LaTeX and HTML; CSV has no marking).</summary>
    public bool MarkBest { get; init; } = true;

    /// <summary>The header of the first column.</summary>
    public string MethodHeader { get; init; } = "Method";

    /// <summary>Text columns between the method and the metrics, e.g. the supervision each method used (comparisons).</summary>
    public IReadOnlyList<RowColumn> RowColumns { get; init; } = [];

    /// <summary>Metric column headers (e.g. <c>pixel_auroc</c> → "AUROC"); a metric not listed keeps its name.</summary>
    public IReadOnlyDictionary<string, string> MetricLabels { get; init; } = new Dictionary<string, string>();

    public static TableOptions Default { get; } = new();

    internal string Label(string metric) => MetricLabels.TryGetValue(metric, out var label) ? label : metric;

    /// <summary>The row columns' texts for one method.</summary>
    internal IEnumerable<string> RowTexts(string method) => RowColumns.Select(c => c.ValueOf(method));
}

/// <summary>A text column of a method × metric table: its header and each method's (row label's) text, "" when it has none.</summary>
public sealed record RowColumn(string Header, IReadOnlyDictionary<string, string> Values)
{
    public string ValueOf(string method) => Values.TryGetValue(method, out var text) ? text : "";
}
