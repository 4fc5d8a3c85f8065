namespace Skein.Data;

/// <summary>
/// One row of a tabular data file (CSV or JSONL): string cells addressed by column name, plus the row's
/// 1-based position in its file for error messages. Rows of one file share their <see cref="Columns"/>.
/// </summary>
public sealed class DataRecord
{
    private readonly string?[] _values;

    /// <summary>Creates a record; <paramref name="values"/> align with <paramref name="columns"/>.</summary>
    public DataRecord(DataColumns columns, string?[] values, long row)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != columns.Count)
        {
            throw new ArgumentException($"{values.Length} values for {columns.Count} columns.", nameof(values));
        }

        Columns = columns;
        _values = values;
        Row = row;
    }

    /// <summary>The column names of the file.</summary>
    public DataColumns Columns { get; }

    /// <summary>1-based data row in the source file (header excluded); 0 when not from a file.</summary>
    public long Row { get; }

    /// <summary>The cell at a column index (null when missing, e.g. a JSONL object without the key).</summary>
    public string? this[int column] => _values[column];

    /// <summary>The cell of a named column.</summary>
    /// <exception cref="KeyNotFoundException">No such column.</exception>
    public string? this[string column] => _values[Columns.IndexOf(column)];
}

/// <summary>An ordered set of column names with fast lookup.</summary>
public sealed class DataColumns : IReadOnlyList<string>
{
    private readonly string[] _names;
    private readonly Dictionary<string, int> _index;

    /// <summary>Creates the column set.</summary>
    /// <exception cref="ArgumentException">A name is repeated.</exception>
    public DataColumns(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        _names = names.ToArray();
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _names.Length; i++)
        {
            if (!_index.TryAdd(_names[i], i))
            {
                throw new ArgumentException($"Column '{_names[i]}' appears twice.", nameof(names));
            }
        }
    }

    /// <summary>Number of columns.</summary>
    public int Count => _names.Length;

    /// <summary>Column name at an index.</summary>
    public string this[int index] => _names[index];

    /// <summary>Whether a column exists.</summary>
    public bool Contains(string name) => _index.ContainsKey(name);

    /// <summary>Index of a named column.</summary>
    /// <exception cref="KeyNotFoundException">No such column; the message lists the available ones.</exception>
    public int IndexOf(string name) => _index.TryGetValue(name, out var i)
        ? i
        : throw new KeyNotFoundException($"No column '{name}'; the columns are: {string.Join(", ", _names)}.");

    /// <inheritdoc/>
    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)_names).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _names.GetEnumerator();
}
