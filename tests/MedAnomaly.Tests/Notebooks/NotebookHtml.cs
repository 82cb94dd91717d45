using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace MedAnomaly.Tests.Notebooks;

/// <summary>
/// An executed notebook (nbformat 4) as one HTML page, as a notebook viewer shows it: Markdown and code sources as
/// preformatted text, then each output — <c>text/html</c> as it is (so charts run their scripts), <c>image/png</c> as an
/// <c>&lt;img&gt;</c> data URI, <c>text/plain</c>, streams and errors as preformatted text. Enough to open the outputs in
/// a browser and check that they render; not a Markdown renderer.
/// </summary>
public static class NotebookHtml
{
    public static string Convert(JsonObject executed, string title)
    {
        var html = new StringBuilder($"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{Encode(title)}</title>\n</head>\n<body>\n");
        foreach (var cell in executed["cells"]!.AsArray())
        {
            string type = (string)cell!["cell_type"]!;
            html.Append($"<section class=\"cell {type}\">\n<pre class=\"source\">{Encode(Text(cell["source"]))}</pre>\n");
            if (cell["outputs"] is JsonArray outputs)
                foreach (var output in outputs) html.Append(Output(output!.AsObject()));
            html.Append("</section>\n");
        }
        return html.Append("</body>\n</html>\n").ToString();
    }

    /// <summary>The richest representation of one output: HTML, then PNG, then plain text.</summary>
    static string Output(JsonObject output)
    {
        if (output["data"] is JsonObject data)
        {
            if (data["text/html"] is { } markup) return $"<div class=\"output\">{Text(markup)}</div>\n";
            if (data["image/png"] is { } png) return $"<div class=\"output\"><img alt=\"figure\" src=\"data:image/png;base64,{Text(png).Trim()}\"></div>\n";
            if (data["text/plain"] is { } plain) return $"<pre class=\"output\">{Encode(Text(plain))}</pre>\n";
            return "";
        }
        if ((string?)output["output_type"] == "error")
            return $"<pre class=\"output error\">{Encode((string?)output["ename"] + ": " + (string?)output["evalue"])}</pre>\n";
        return $"<pre class=\"output stream\">{Encode(Text(output["text"]))}</pre>\n";
    }

    /// <summary>nbformat stores multi-line strings as a string or as a list of lines.</summary>
    static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        _ => (string?)node ?? "",
    };

    static string Encode(string text) => WebUtility.HtmlEncode(text);
}
