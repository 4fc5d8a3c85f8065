namespace Skein.Labeling.Rules;

/// <summary>The kind of a declarative rule.</summary>
public enum RuleKind
{
    /// <summary>Votes when the text contains any of the rule's words (<see cref="LabelingFunction.Keyword{T}"/>).</summary>
    Keyword,

    /// <summary>Votes when the rule's regular expression matches anywhere in the text (<see cref="LabelingFunction.Pattern{T}"/>).</summary>
    Pattern,
}

/// <summary>Matching options of a rule, resolved against the defaults of its kind.</summary>
/// <param name="WholeWord">Keyword rules: match whole words only. Default false (substring).</param>
/// <param name="IgnoreCase">Ignore case. Default true for keyword rules, false for pattern rules.</param>
/// <param name="Lowercase">Pattern rules: lower-case the text before matching (<see cref="PatternOptions.LowercaseInput"/>). Default false.</param>
/// <param name="MatchTimeout">Pattern rules: longest time one match may take. Default 1 s.</param>
public sealed record RuleOptions(bool WholeWord, bool IgnoreCase, bool Lowercase, TimeSpan MatchTimeout)
{
    /// <summary>The defaults of keyword rules: substring, ignore case.</summary>
    public static RuleOptions KeywordDefaults { get; } = new(false, true, false, TimeSpan.FromSeconds(1));

    /// <summary>The defaults of pattern rules: case-sensitive, text as given, 1 s timeout.</summary>
    public static RuleOptions PatternDefaults { get; } = new(false, false, false, TimeSpan.FromSeconds(1));
}

/// <summary>One rule of a <see cref="RuleSet"/>: a keyword or pattern labeling function that votes one class.</summary>
/// <param name="Name">Unique name; becomes the LF name (the label-matrix column name).</param>
/// <param name="Kind">Keyword or pattern.</param>
/// <param name="Class">The class index in [0, k) the rule votes when it fires.</param>
/// <param name="Words">Keyword rules: the words, any of which fires the rule; empty for pattern rules.</param>
/// <param name="Pattern">Pattern rules: the .NET regular expression; null for keyword rules.</param>
/// <param name="Column">The rule's own text column, or null to use the file's <c>textColumn</c>.</param>
/// <param name="Options">Matching options, defaults of the kind already applied.</param>
/// <param name="Description">Free text for people (e.g. an example the rule was written from); not used for matching.</param>
public sealed record Rule(
    string Name,
    RuleKind Kind,
    int Class,
    IReadOnlyList<string> Words,
    string? Pattern,
    string? Column,
    RuleOptions Options,
    string? Description = null);
