using System.Globalization;

namespace Skein.IO;

/// <summary>Gold labels as text: one integer class index per line, -1 = unknown.</summary>
public static class GoldLabels
{
    /// <summary>Reads gold labels; blank trailing lines are ignored and an empty file gives no labels.</summary>
    /// <param name="path">The file to read.</param>
    /// <exception cref="DataFormatException">Missing file, a line that is not an integer ≥ -1, or a blank line
    /// between labels; the message names the file and the line.</exception>
    public static int[] Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var labels = new List<int>();
        using var reader = SeparatedValuesParser.OpenLines(path);
        long line = 0;
        long pendingBlank = 0;
        while (true)
        {
            string? text = reader.ReadLine(line + 1);

            if (text is null)
            {
                return [.. labels];
            }

            line++;
            var trimmed = text.AsSpan().Trim();
            if (trimmed.IsEmpty)
            {
                pendingBlank = pendingBlank == 0 ? line : pendingBlank;
                continue;
            }

            if (pendingBlank != 0)
            {
                throw new DataFormatException("blank line between labels; expected one integer per line.", path, pendingBlank);
            }

            if (!int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int label))
            {
                if (BigIntegerText(trimmed))
                {
                    throw new DataFormatException($"label {TextInput.Excerpt(trimmed)} is out of range.", path, line);
                }

                throw new DataFormatException($"'{TextInput.Excerpt(trimmed)}' is not an integer label.", path, line);
            }

            if (label < -1)
            {
                throw new DataFormatException($"label {label} is below -1 (unknown).", path, line);
            }

            labels.Add(label);
        }
    }

    /// <summary>Writes one label per line (atomically: a temp file moved into place).</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="labels">Class indices, or -1 for unknown.</param>
    public static void Write(string path, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] < -1)
            {
                throw new ArgumentException($"Label {labels[i]} at index {i} is below -1.", nameof(labels));
            }
        }

        AtomicFile.WriteText(path, writer =>
        {
            foreach (var label in labels)
            {
                writer.WriteLine(label.ToString(CultureInfo.InvariantCulture));
            }
        });
    }

    private static bool BigIntegerText(ReadOnlySpan<char> text)
    {
        if (!text.IsEmpty && (text[0] == '-' || text[0] == '+'))
        {
            text = text[1..];
        }

        return !text.IsEmpty && text.IndexOfAnyExceptInRange('0', '9') < 0;
    }
}
