namespace Skein.Labeling;

/// <summary>An LF failed on an item, or voted outside [-1, k). Names the LF and the 0-based row.</summary>
public sealed class LabelingFunctionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LabelingFunctionException(string lfName, long row, string message, Exception? inner = null)
        : base($"LF '{lfName}' on row {row}: {message}", inner)
    {
        LfName = lfName;
        Row = row;
        Reason = message;
    }

    /// <summary>The failing LF.</summary>
    public string LfName { get; }

    /// <summary>0-based index of the item in the applied sequence.</summary>
    public long Row { get; }

    /// <summary>What went wrong, without the LF and row prefix (for callers that locate the row themselves).</summary>
    public string Reason { get; }
}
