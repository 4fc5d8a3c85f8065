namespace Skein.IO;

/// <summary>
/// Input data is malformed. The message names the file and, where known, the 1-based row and the column,
/// so a user can go straight to the offending cell.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception; the message is prefixed with "file:row: column 'c':".</summary>
    public DataFormatException(string message, string? filePath = null, long? row = null, string? column = null, Exception? inner = null)
        : base(Format(message, filePath, row, column), inner)
    {
        FilePath = filePath;
        Row = row;
        Column = column;
        Problem = message;
    }

    /// <summary>What is wrong, without the location prefix.</summary>
    internal string Problem { get; }

    /// <summary>The file being read, if any.</summary>
    public string? FilePath { get; }

    /// <summary>1-based data row (header excluded) or line number, if known.</summary>
    public long? Row { get; }

    /// <summary>The column name, or its 1-based number as text for files without a header, if known.</summary>
    public string? Column { get; }

    private static string Format(string message, string? filePath, long? row, string? column)
    {
        var where = filePath ?? "input";
        if (row is not null)
        {
            where += $", row {row}";
        }

        if (column is not null)
        {
            // Positional columns (votes files) read "column 3"; named ones "column 'text'".
            where += long.TryParse(column, out _) ? $", column {column}" : $", column '{column}'";
        }

        return $"{where}: {message}";
    }
}
