using System.Buffers;
using System.Text.RegularExpressions;

namespace Skein.Labeling;

/// <summary>How a keyword must occur in the text.</summary>
public enum KeywordMatch
{
    /// <summary>Anywhere, as a substring ("my" matches "mystery"), as in Snorkel's spam tutorial.</summary>
    Substring,

    /// <summary>Bounded by non-word characters or the ends of the text (word characters: letters, digits, '_').</summary>
    WholeWord,
}

/// <summary>Comparison used by <see cref="LabelingFunction.Threshold{T}"/>.</summary>
public enum ThresholdComparison
{
    /// <summary>value &lt; threshold.</summary>
    Less,

    /// <summary>value ≤ threshold.</summary>
    LessOrEqual,

    /// <summary>value &gt; threshold.</summary>
    Greater,

    /// <summary>value ≥ threshold.</summary>
    GreaterOrEqual,
}

/// <summary>Options of a keyword LF.</summary>
public sealed record KeywordOptions
{
    /// <summary>Substring (default) or whole-word matching.</summary>
    public KeywordMatch Match { get; init; } = KeywordMatch.Substring;

    /// <summary>Ignore case (ordinal, culture-invariant). Default true.</summary>
    public bool IgnoreCase { get; init; } = true;
}

/// <summary>Options of a regular-expression LF.</summary>
public sealed record PatternOptions
{
    /// <summary>Ignore case. Default false: the pattern decides, e.g. with (?i).</summary>
    public bool IgnoreCase { get; init; }

    /// <summary>
    /// Lower-case the text (invariant culture) before matching, the semantics of rules written for
    /// <c>re.search(pattern, text.lower())</c> such as WRENCH's trec and sms LFs. Default false.
    /// </summary>
    public bool LowercaseInput { get; init; }

    /// <summary>Longest time one match may take before it fails; guards against catastrophic backtracking.</summary>
    public TimeSpan MatchTimeout { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>Factories for the common kinds of labeling function.</summary>
public static class LabelingFunction
{
    /// <summary>The vote that means "no opinion".</summary>
    public const int Abstain = -1;

    /// <summary>An LF from a delegate.</summary>
    public static ILabelingFunction<T> Create<T>(string name, Func<T, int> vote)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(vote);
        return new DelegateLabelingFunction<T>(name, vote);
    }

    /// <summary>Votes <paramref name="label"/> when the text contains any of <paramref name="words"/>.</summary>
    public static ILabelingFunction<T> Keyword<T>(string name, Func<T, string?> text, int label, IEnumerable<string> words,
        KeywordOptions? options = null)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(words);
        ValidateLabel(label);
        var list = words.ToArray();
        if (list.Length == 0 || list.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException($"Keyword LF '{name}' needs at least one non-empty word.", nameof(words));
        }

        return new KeywordLabelingFunction<T>(name, text, label, list, options ?? new KeywordOptions());
    }

    /// <summary>Keyword LF over plain strings.</summary>
    public static ILabelingFunction<string> Keyword(string name, int label, params string[] words) =>
        Keyword<string>(name, static s => s, label, words);

    /// <summary>Votes <paramref name="label"/> when the regular expression matches anywhere in the text.</summary>
    /// <exception cref="ArgumentException">The pattern is not a valid .NET regular expression.</exception>
    public static ILabelingFunction<T> Pattern<T>(string name, Func<T, string?> text, int label, string pattern,
        PatternOptions? options = null)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(pattern);
        ValidateLabel(label);
        options ??= new PatternOptions();
        var regexOptions = RegexOptions.Compiled | RegexOptions.CultureInvariant;
        if (options.IgnoreCase)
        {
            regexOptions |= RegexOptions.IgnoreCase;
        }

        Regex regex;
        try
        {
            regex = new Regex(pattern, regexOptions, options.MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"LF '{name}': invalid regular expression '{pattern}': {e.Message}", nameof(pattern), e);
        }

        return new PatternLabelingFunction<T>(name, text, label, regex, options.LowercaseInput);
    }

    /// <summary>Regular-expression LF over plain strings.</summary>
    public static ILabelingFunction<string> Pattern(string name, int label, string pattern, PatternOptions? options = null) =>
        Pattern<string>(name, static s => s, label, pattern, options);

    /// <summary>
    /// Votes <paramref name="label"/> when a numeric field compares true against <paramref name="threshold"/>;
    /// abstains when the value is null or NaN.
    /// </summary>
    public static ILabelingFunction<T> Threshold<T>(string name, Func<T, double?> value, ThresholdComparison comparison,
        double threshold, int label)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(value);
        ValidateLabel(label);
        if (double.IsNaN(threshold))
        {
            throw new ArgumentException($"LF '{name}': threshold must not be NaN.", nameof(threshold));
        }

        if (!Enum.IsDefined(comparison))
        {
            throw new ArgumentOutOfRangeException(nameof(comparison), comparison, "Unknown comparison.");
        }

        return new DelegateLabelingFunction<T>(name, item =>
        {
            var v = value(item);
            if (v is not double x || double.IsNaN(x))
            {
                return Abstain;
            }

            bool hit = comparison switch
            {
                ThresholdComparison.Less => x < threshold,
                ThresholdComparison.LessOrEqual => x <= threshold,
                ThresholdComparison.Greater => x > threshold,
                _ => x >= threshold,
            };
            return hit ? label : Abstain;
        });
    }

    private static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("An LF needs a non-empty name.", nameof(name));
        }
    }

    private static void ValidateLabel(int label)
    {
        if (label < 0 || label >= Data.LabelMatrix.MaxCardinality)
        {
            throw new ArgumentOutOfRangeException(nameof(label), label, "An LF's label must be a class index ≥ 0.");
        }
    }

    private sealed class DelegateLabelingFunction<T>(string name, Func<T, int> vote) : ILabelingFunction<T>
    {
        public string Name { get; } = name;

        public int Vote(T item) => vote(item);

        public override string ToString() => Name;
    }

    private sealed class KeywordLabelingFunction<T>(string name, Func<T, string?> text, int label, string[] words,
        KeywordOptions options) : ILabelingFunction<T>
    {
        private readonly StringComparison _comparison = options.IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

        // One vectorised multi-string search (Teddy / Aho-Corasick) instead of a Contains scan per word.
        private readonly SearchValues<string> _search = SearchValues.Create(words,
            options.IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

        public string Name { get; } = name;

        public int Vote(T item)
        {
            var s = text(item);
            if (string.IsNullOrEmpty(s))
            {
                return Abstain;
            }

            bool hit = options.Match == KeywordMatch.Substring ? s.AsSpan().ContainsAny(_search) : ContainsWholeWord(s);
            return hit ? label : Abstain;
        }

        private bool ContainsWholeWord(string s)
        {
            // Every whole-word occurrence starts where some word occurs, so visit those positions left to right.
            int from = 0;
            while (from < s.Length)
            {
                int at = s.AsSpan(from).IndexOfAny(_search);
                if (at < 0)
                {
                    return false;
                }

                at += from;
                if (at == 0 || !IsWordChar(s[at - 1]))
                {
                    foreach (var word in words)
                    {
                        int end = at + word.Length;
                        if (s.AsSpan(at).StartsWith(word, _comparison) && (end == s.Length || !IsWordChar(s[end])))
                        {
                            return true;
                        }
                    }
                }

                from = at + 1;
            }

            return false;
        }

        private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

        public override string ToString() => Name;
    }

    private sealed class PatternLabelingFunction<T>(string name, Func<T, string?> text, int label, Regex regex, bool lowercase)
        : ILabelingFunction<T>
    {
        // A Regex caches one matcher (runner); threads matching the same instance at once miss that cache and
        // build a new runner per call. Striping by thread id gives concurrent threads (almost always) their own
        // instance; a collision is still correct (Regex is thread-safe), only slower.
        private readonly Regex?[] _stripes = new Regex?[16];

        public string Name { get; } = name;

        public int Vote(T item)
        {
            var s = text(item);
            if (s is null)
            {
                return Abstain;
            }

            if (lowercase)
            {
                s = s.ToLowerInvariant();
            }

            return Stripe().IsMatch(s) ? label : Abstain;
        }

        private Regex Stripe()
        {
            int slot = Environment.CurrentManagedThreadId & (16 - 1);
            return _stripes[slot] ?? Interlocked.CompareExchange(ref _stripes[slot], slot == 0 ? regex
                : new Regex(regex.ToString(), regex.Options, regex.MatchTimeout), null) ?? _stripes[slot]!;
        }

        public override string ToString() => $"{Name}: /{regex}/";
    }
}
