namespace Skein.Labeling.Rules;

/// <summary>
/// A rules file is malformed or does not fit the data. The message names the file, the rule (index and
/// name) and the field at fault; the same facts are available as properties.
/// </summary>
public sealed class RuleSetException : Exception
{
    /// <summary>Creates the exception with a plain message.</summary>
    public RuleSetException()
        : this("Invalid rules file.")
    {
    }

    /// <summary>Creates the exception with a plain message.</summary>
    public RuleSetException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a plain message and a cause.</summary>
    public RuleSetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception; the message is composed from the location and the problem.</summary>
    /// <param name="sourceName">The file path or other name of the rules text.</param>
    /// <param name="ruleIndex">0-based index of the rule in <c>rules</c>, or null for a top-level problem.</param>
    /// <param name="ruleName">The rule's name when known.</param>
    /// <param name="field">The JSON field at fault, e.g. <c>pattern</c> or <c>options.timeoutMs</c>.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="line">1-based line of malformed JSON, when known.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public RuleSetException(string sourceName, int? ruleIndex, string? ruleName, string? field, string problem,
        long? line = null, Exception? innerException = null)
        : base(Compose(sourceName, ruleIndex, ruleName, field, problem, line), innerException)
    {
        SourceName = sourceName;
        RuleIndex = ruleIndex;
        RuleName = ruleName;
        Field = field;
        Line = line;
    }

    /// <summary>The file path or other name of the rules text.</summary>
    public string? SourceName { get; }

    /// <summary>0-based index of the rule at fault; null for a top-level problem.</summary>
    public int? RuleIndex { get; }

    /// <summary>Name of the rule at fault, when it has one.</summary>
    public string? RuleName { get; }

    /// <summary>The JSON field at fault, when there is one.</summary>
    public string? Field { get; }

    /// <summary>1-based line of malformed JSON, when known.</summary>
    public long? Line { get; }

    private static string Compose(string sourceName, int? ruleIndex, string? ruleName, string? field, string problem, long? line)
    {
        var where = new System.Text.StringBuilder(sourceName);
        if (line is long l)
        {
            where.Append(", line ").Append(l);
        }

        if (ruleIndex is int i)
        {
            where.Append(", rule #").Append(i);
            if (!string.IsNullOrEmpty(ruleName))
            {
                where.Append(" '").Append(ruleName).Append('\'');
            }
        }

        if (!string.IsNullOrEmpty(field))
        {
            where.Append(", field '").Append(field).Append('\'');
        }

        return $"{where}: {problem}";
    }
}
