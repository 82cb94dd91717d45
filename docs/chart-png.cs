#:package Microsoft.Playwright@1.64.1
// A file-based app is AOT-ready by default, which turns off the reflection-based JSON that Playwright uses.
#:property PublishAot=false
// Renders one Plotly chart of an offline HTML page (a notebook-07 charts.html, an HtmlReport) to a PNG, in Debian's
// headless chromium through Microsoft.Playwright, with no network: every request that is not file:, data: or about: is
// aborted and fails the run, as in the browser tests (tests/MedAnomaly.Tests/Notebooks/BrowserTests.cs).
//
//   dotnet run docs/chart-png.cs -- PAGE.html OUT.png [INDEX]     INDEX: which chart of the page, from 0 (default 0)
using Microsoft.Playwright;

const string Chromium = "/usr/bin/chromium";
if (args.Length is < 2 or > 3 || (args.Length == 3 && !int.TryParse(args[2], out _)))
{
    Console.Error.WriteLine("usage: dotnet run docs/chart-png.cs -- PAGE.html OUT.png [INDEX]");
    return 2;
}
string page = Path.GetFullPath(args[0]), output = Path.GetFullPath(args[1]);
int index = args.Length == 3 ? int.Parse(args[2]) : 0;
if (!File.Exists(page)) { Console.Error.WriteLine($"chart-png: {page} does not exist"); return 1; }
if (!File.Exists(Chromium)) { Console.Error.WriteLine($"chart-png: {Chromium} is missing (make notebook-deps installs Debian's chromium)"); return 1; }

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
var tab = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1000, Height = 700 }, DeviceScaleFactor = 1 });
var outside = new List<string>();
await tab.RouteAsync("**/*", async route =>
{
    string url = route.Request.Url;
    if (url.StartsWith("file:") || url.StartsWith("data:") || url.StartsWith("about:")) await route.ContinueAsync();
    else { lock (outside) outside.Add(url); await route.AbortAsync(); }
});
var errors = new List<string>();
tab.PageError += (_, error) => { lock (errors) errors.Add(error); };

await tab.GotoAsync(new Uri(page).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load, Timeout = 60_000 });
var charts = tab.Locator(".js-plotly-plot");
int count = await charts.CountAsync();
if (index >= count) { Console.Error.WriteLine($"chart-png: {page} has {count} drawn charts; index {index} asked for"); return 1; }
// A chart is drawn when plotly has made its SVG layers.
await charts.Nth(index).Locator(".main-svg").First.WaitForAsync(new() { Timeout = 30_000 });
if (outside.Count > 0 || errors.Count > 0)
{
    Console.Error.WriteLine($"chart-png: {page}: requests left the machine: [{string.Join(", ", outside)}]; page errors: [{string.Join("; ", errors)}]");
    return 1;
}
Directory.CreateDirectory(Path.GetDirectoryName(output)!);
string temporary = output + ".tmp.png";
// The plot's own box (plotly's .svg-container has the layout's width and height), not the page-wide div around it.
await charts.Nth(index).Locator(".svg-container").First.ScreenshotAsync(new() { Path = temporary });
File.Move(temporary, output, overwrite: true);
Console.WriteLine($"chart {index} of {page} → {output}");
return 0;
