using System.Text.Json;

namespace Skein.Examples;

/// <summary>One row of a WRENCH dataset file: gold label, the published LF votes, and the text.</summary>
internal sealed record WrenchRow(string Id, int Label, IReadOnlyList<int> WeakLabels, string Text);

/// <summary>
/// A minimal reader of WRENCH's JSON layout, <c>{"0": {"label": 1, "weak_labels": [...], "data": {"text": "..."}}}</c>,
/// kept private to the examples (the library has its own reader).
/// </summary>
internal static class WrenchFile
{
    public static IReadOnlyList<WrenchRow> Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        var rows = new List<WrenchRow>();
        foreach (var entry in document.RootElement.EnumerateObject())
        {
            var value = entry.Value;
            var votes = value.GetProperty("weak_labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            var text = value.GetProperty("data").GetProperty("text").GetString() ?? "";
            rows.Add(new WrenchRow(entry.Name, value.GetProperty("label").GetInt32(), votes, text));
        }

        return rows;
    }
}
