using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Skein.Data;
using Skein.IO;

namespace Skein.Labeling.Rules;

/// <summary>
/// A declarative rules file: keyword and regular-expression labeling functions written as JSON (schema
/// in docs/rules-files.md), validated when parsed and compiled into LFs over <see cref="DataRecord"/> rows.
/// Immutable and thread-safe.
/// </summary>
public sealed class RuleSet
{
    /// <summary>The only rules-file version this reader understands.</summary>
    public const int CurrentVersion = 1;

    private const string DefaultSourceName = "<rules>";

    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        // Rules files are written by hand: comments and a trailing comma are harmless.
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly string[] TopLevelKeys = ["version", "cardinality", "classes", "textColumn", "rules", "description"];
    private static readonly string[] RuleKeys = ["name", "kind", "class", "words", "pattern", "column", "options", "description"];
    private static readonly string[] KeywordOptionKeys = ["wholeWord", "ignoreCase"];
    private static readonly string[] PatternOptionKeys = ["ignoreCase", "lowercase", "timeoutMs"];

    private RuleSet(string sourceName, int cardinality, IReadOnlyList<string>? classNames, string? textColumn, IReadOnlyList<Rule> rules)
    {
        SourceName = sourceName;
        Cardinality = cardinality;
        ClassNames = classNames;
        TextColumn = textColumn;
        Rules = rules;
    }

    /// <summary>The file path (or name given to <see cref="Parse"/>) used in error messages.</summary>
    public string SourceName { get; }

    /// <summary>Number of classes k; every rule votes a class in [0, k).</summary>
    public int Cardinality { get; }

    /// <summary>The class names, index = class, when the file gives <c>classes</c>; otherwise null.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The file's default text column, or null.</summary>
    public string? TextColumn { get; }

    /// <summary>The rules, in file order (= label-matrix column order).</summary>
    public IReadOnlyList<Rule> Rules { get; }

    /// <summary>Reads and validates a rules file.</summary>
    /// <param name="path">The rules file.</param>
    /// <param name="encoding">The file's encoding; null (the default) = detect from a byte-order mark, else strict
    /// UTF-8, the same policy as the data readers: a file that is not valid UTF-8 is refused with the byte offset,
    /// never decoded into U+FFFD (which would make a keyword with an accent silently never fire).</param>
    /// <exception cref="RuleSetException">The file cannot be read or decoded, or is not a valid rules file.</exception>
    public static RuleSet Load(string path, Encoding? encoding = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string json;
        try
        {
            json = TextInput.ReadAllText(path, encoding);
        }
        catch (DataFormatException e)
        {
            // Keep an I/O cause (file not found) as the inner exception; otherwise the decoding error itself.
            throw new RuleSetException(path, null, null, null, e.Problem, e.Row, e.InnerException as IOException ?? (Exception)e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RuleSetException(path, null, null, null, $"cannot read the rules file: {e.Message}", innerException: e);
        }

        return Parse(json, path);
    }

    /// <summary>Parses and validates rules-file JSON.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="sourceName">Name used in error messages, e.g. the file path; defaults to "&lt;rules&gt;".</param>
    /// <exception cref="RuleSetException">The text is not a valid rules file.</exception>
    public static RuleSet Parse(string json, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var source = string.IsNullOrEmpty(sourceName) ? DefaultSourceName : sourceName;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, JsonOptions);
        }
        catch (JsonException e)
        {
            // .NET's message repeats the position 0-based; report it once, 1-based.
            var message = e.Message;
            int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }

            long? line = e.LineNumber + 1;
            var column = e.BytePositionInLine + 1;
            throw new RuleSetException(source, null, null, null, $"malformed JSON (byte {column} of the line): {message}", line, e);
        }

        using (document)
        {
            return new Reader(source).ReadFile(document.RootElement);
        }
    }

    /// <summary>
    /// Builds one labeling function per rule over rows with the given columns. Column names are bound to
    /// indices here, once, so voting does no name lookup; every row passed to the LFs must have this layout.
    /// </summary>
    /// <param name="columns">The columns of the data the LFs will label.</param>
    /// <param name="textColumnOverride">
    /// A text column for every rule (the CLI's <c>--text-column</c>); it wins over a rule's <c>column</c>, which
    /// wins over the file's <c>textColumn</c>.
    /// </param>
    /// <exception cref="RuleSetException">A rule has no text column, or its column is not in <paramref name="columns"/>.</exception>
    public IReadOnlyList<ILabelingFunction<DataRecord>> Compile(DataColumns columns, string? textColumnOverride = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (textColumnOverride is not null && !columns.Contains(textColumnOverride))
        {
            throw new RuleSetException(SourceName, null, null, null,
                $"the text column '{textColumnOverride}' given for all rules is not in the data; the columns are: {ListColumns(columns)}.");
        }

        var lfs = new ILabelingFunction<DataRecord>[Rules.Count];
        for (int i = 0; i < Rules.Count; i++)
        {
            var rule = Rules[i];
            var (column, field) = textColumnOverride is not null ? (textColumnOverride, null)
                : rule.Column is not null ? (rule.Column, "column")
                : (TextColumn, "textColumn");
            if (column is null)
            {
                throw new RuleSetException(SourceName, i, rule.Name, "column",
                    "no text column: set 'textColumn' in the file, 'column' on the rule, or pass one (--text-column).");
            }

            if (!columns.Contains(column))
            {
                throw new RuleSetException(SourceName, i, rule.Name, field,
                    $"the text column '{column}' is not in the data; the columns are: {ListColumns(columns)}.");
            }

            int index = columns.IndexOf(column);
            Func<DataRecord, string?> text = row => row[index];
            lfs[i] = rule.Kind switch
            {
                RuleKind.Keyword => LabelingFunction.Keyword(rule.Name, text, rule.Class, rule.Words, new KeywordOptions
                {
                    Match = rule.Options.WholeWord ? KeywordMatch.WholeWord : KeywordMatch.Substring,
                    IgnoreCase = rule.Options.IgnoreCase,
                }),
                _ => LabelingFunction.Pattern(rule.Name, text, rule.Class, rule.Pattern!, new PatternOptions
                {
                    IgnoreCase = rule.Options.IgnoreCase,
                    LowercaseInput = rule.Options.Lowercase,
                    MatchTimeout = rule.Options.MatchTimeout,
                }),
            };
        }

        return lfs;
    }

    /// <summary>The class name of a class index, or the index as text when the file has no class names.</summary>
    public string ClassName(int classIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(classIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(classIndex, Cardinality);
        return ClassNames?[classIndex] ?? classIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string ListColumns(DataColumns columns) =>
        columns.Count == 0 ? "(none)" : string.Join(", ", columns.Select(c => $"'{c}'"));

    /// <summary>Walks the JSON tree strictly: unknown or repeated keys and wrong types are errors.</summary>
    private sealed class Reader(string source)
    {
        private int? _ruleIndex;
        private string? _ruleName;

        public RuleSet ReadFile(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Error(null, $"the top level must be a JSON object, not {Describe(root)}.");
            }

            var fields = Fields(root, TopLevelKeys, null);
            if (fields.TryGetValue("version", out var version))
            {
                int v = Integer(version, "version");
                if (v != CurrentVersion)
                {
                    throw Error("version", $"version {v} is not supported; this reader understands version {CurrentVersion}.");
                }
            }

            string[]? classNames = null;
            if (fields.TryGetValue("classes", out var classes))
            {
                classNames = StringArray(classes, "classes");
                var repeated = classNames.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
                if (repeated is not null)
                {
                    throw Error("classes", $"class name '{repeated.Key}' appears more than once.");
                }
            }

            int cardinality;
            if (fields.TryGetValue("cardinality", out var cardinalityElement))
            {
                cardinality = Integer(cardinalityElement, "cardinality");
                if (classNames is not null && classNames.Length != cardinality)
                {
                    throw Error("cardinality", $"cardinality {cardinality} does not match the {classNames.Length} names in 'classes'.");
                }
            }
            else if (classNames is not null)
            {
                cardinality = classNames.Length;
            }
            else
            {
                throw Error("cardinality", "missing: give 'cardinality' (number of classes) or 'classes' (their names).");
            }

            if (cardinality < 2 || cardinality > LabelMatrix.MaxCardinality)
            {
                throw Error(classNames is not null && !fields.ContainsKey("cardinality") ? "classes" : "cardinality",
                    $"the number of classes must be in [2, {LabelMatrix.MaxCardinality}], not {cardinality}.");
            }

            string? textColumn = fields.TryGetValue("textColumn", out var tc) ? NonEmptyString(tc, "textColumn") : null;
            if (!fields.TryGetValue("rules", out var rulesElement))
            {
                throw Error("rules", "missing: the file needs a 'rules' array.");
            }

            if (rulesElement.ValueKind != JsonValueKind.Array)
            {
                throw Error("rules", $"must be an array, not {Describe(rulesElement)}.");
            }

            var rules = new List<Rule>();
            var firstIndexOfName = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var element in rulesElement.EnumerateArray())
            {
                _ruleIndex = rules.Count;
                _ruleName = null;
                var rule = ReadRule(element, cardinality, classNames);
                if (firstIndexOfName.TryGetValue(rule.Name, out int first))
                {
                    throw Error("name", $"duplicate rule name; rule #{first} has the same name.");
                }

                firstIndexOfName.Add(rule.Name, rules.Count);
                rules.Add(rule);
            }

            _ruleIndex = null;
            _ruleName = null;
            if (rules.Count == 0)
            {
                throw Error("rules", "the file has no rules.");
            }

            return new RuleSet(source, cardinality, classNames, textColumn, rules);
        }

        private Rule ReadRule(JsonElement element, int cardinality, IReadOnlyList<string>? classNames)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Error(null, $"a rule must be a JSON object, not {Describe(element)}.");
            }

            // Read the name first so every later message can name the rule.
            if (element.TryGetProperty("name", out var nameElement) && nameElement.ValueKind == JsonValueKind.String)
            {
                _ruleName = nameElement.GetString();
            }

            var fields = Fields(element, RuleKeys, null);
            var name = NonEmptyString(Required(fields, "name"), "name");
            var kindText = NonEmptyString(Required(fields, "kind"), "kind");
            var kind = kindText switch
            {
                "keyword" => RuleKind.Keyword,
                "pattern" => RuleKind.Pattern,
                _ => throw Error("kind", $"unknown kind '{kindText}'; the kinds are 'keyword' and 'pattern'."),
            };
            int label = Class(Required(fields, "class"), cardinality, classNames);
            string? column = fields.TryGetValue("column", out var c) ? NonEmptyString(c, "column") : null;
            string? description = fields.TryGetValue("description", out var d) ? String(d, "description") : null;

            string[] words = [];
            string? pattern = null;
            if (kind == RuleKind.Keyword)
            {
                if (fields.ContainsKey("pattern"))
                {
                    throw Error("pattern", "a keyword rule takes 'words', not 'pattern' (or set \"kind\": \"pattern\").");
                }

                if (!fields.TryGetValue("words", out var wordsElement))
                {
                    throw Error("words", "missing: a keyword rule needs a non-empty 'words' array.");
                }

                words = StringArray(wordsElement, "words");
                if (words.Length == 0)
                {
                    throw Error("words", "a keyword rule needs at least one word.");
                }
            }
            else
            {
                if (fields.ContainsKey("words"))
                {
                    throw Error("words", "a pattern rule takes 'pattern', not 'words' (or set \"kind\": \"keyword\").");
                }

                if (!fields.TryGetValue("pattern", out var patternElement))
                {
                    throw Error("pattern", "missing: a pattern rule needs a 'pattern' (a .NET regular expression).");
                }

                pattern = NonEmptyString(patternElement, "pattern");
            }

            var options = ReadOptions(fields.TryGetValue("options", out var o) ? o : null, kind);
            if (pattern is not null)
            {
                ValidatePattern(pattern, options);
            }

            return new Rule(name, kind, label, words, pattern, column, options, description);
        }

        private RuleOptions ReadOptions(JsonElement? element, RuleKind kind)
        {
            var options = kind == RuleKind.Keyword ? RuleOptions.KeywordDefaults : RuleOptions.PatternDefaults;
            if (element is not JsonElement e)
            {
                return options;
            }

            if (e.ValueKind != JsonValueKind.Object)
            {
                throw Error("options", $"must be an object, not {Describe(e)}.");
            }

            // Each kind accepts only the options that change its matching, so a misplaced option is not a silent no-op.
            var allowed = kind == RuleKind.Keyword ? KeywordOptionKeys : PatternOptionKeys;
            var fields = Fields(e, allowed, kind == RuleKind.Keyword ? "keyword" : "pattern");
            if (fields.TryGetValue("wholeWord", out var wholeWord))
            {
                options = options with { WholeWord = Boolean(wholeWord, "options.wholeWord") };
            }

            if (fields.TryGetValue("ignoreCase", out var ignoreCase))
            {
                options = options with { IgnoreCase = Boolean(ignoreCase, "options.ignoreCase") };
            }

            if (fields.TryGetValue("lowercase", out var lowercase))
            {
                options = options with { Lowercase = Boolean(lowercase, "options.lowercase") };
            }

            if (fields.TryGetValue("timeoutMs", out var timeout))
            {
                int ms = Integer(timeout, "options.timeoutMs");
                if (ms < 1)
                {
                    throw Error("options.timeoutMs", $"must be ≥ 1 millisecond, not {ms}.");
                }

                options = options with { MatchTimeout = TimeSpan.FromMilliseconds(ms) };
            }

            return options;
        }

        private void ValidatePattern(string pattern, RuleOptions options)
        {
            // Parse (without compiling) now so a bad regex is reported with the rule, not at first use.
            var regexOptions = RegexOptions.CultureInvariant | (options.IgnoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
            try
            {
                _ = new Regex(pattern, regexOptions, options.MatchTimeout);
            }
            catch (ArgumentException e)
            {
                throw Error("pattern", $"invalid regular expression '{pattern}': {e.Message}", e);
            }
        }

        private int Class(JsonElement element, int cardinality, IReadOnlyList<string>? classNames)
        {
            if (element.ValueKind == JsonValueKind.String)
            {
                var name = element.GetString()!;
                if (classNames is null)
                {
                    throw Error("class", $"class name '{name}' given, but the file has no 'classes' list; use a class index in [0, {cardinality}).");
                }

                for (int i = 0; i < classNames.Count; i++)
                {
                    if (string.Equals(classNames[i], name, StringComparison.Ordinal))
                    {
                        return i;
                    }
                }

                throw Error("class", $"unknown class name '{name}'; the classes are: {string.Join(", ", classNames.Select(n => $"'{n}'"))}.");
            }

            if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out int index))
            {
                throw Error("class", $"must be a class index or a class name, not {Describe(element)}.");
            }

            if (index < 0 || index >= cardinality)
            {
                throw Error("class", $"class {index} is out of range [0, {cardinality}).");
            }

            return index;
        }

        private Dictionary<string, JsonElement> Fields(JsonElement obj, string[] allowed, string? kindForOptions)
        {
            var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in obj.EnumerateObject())
            {
                var prefix = kindForOptions is null ? "" : "options.";
                if (!allowed.Contains(property.Name, StringComparer.Ordinal))
                {
                    var known = string.Join(", ", allowed.Select(a => $"'{a}'"));
                    var problem = kindForOptions is null
                        ? $"unknown key; the known keys here are {known}."
                        : $"unknown option for a {kindForOptions} rule; its options are {known}.";
                    throw Error(prefix + property.Name, problem);
                }

                if (!fields.TryAdd(property.Name, property.Value))
                {
                    throw Error(prefix + property.Name, "the key appears more than once.");
                }
            }

            return fields;
        }

        private JsonElement Required(Dictionary<string, JsonElement> fields, string key) =>
            fields.TryGetValue(key, out var value) ? value : throw Error(key, "missing.");

        private string String(JsonElement element, string field) =>
            element.ValueKind == JsonValueKind.String ? element.GetString()! : throw Error(field, $"must be a string, not {Describe(element)}.");

        private string NonEmptyString(JsonElement element, string field)
        {
            var s = String(element, field);
            return string.IsNullOrWhiteSpace(s) ? throw Error(field, "must not be empty.") : s;
        }

        private string[] StringArray(JsonElement element, string field)
        {
            if (element.ValueKind != JsonValueKind.Array)
            {
                throw Error(field, $"must be an array of strings, not {Describe(element)}.");
            }

            var list = new List<string>();
            foreach (var item in element.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(item.GetString()))
                {
                    throw Error(field, $"item {list.Count} must be a non-empty string, not {Describe(item)}.");
                }

                list.Add(item.GetString()!);
            }

            return [.. list];
        }

        private int Integer(JsonElement element, string field) =>
            element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out int value)
                ? value
                : throw Error(field, $"must be an integer, not {Describe(element)}.");

        private bool Boolean(JsonElement element, string field) => element.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(field, $"must be true or false, not {Describe(element)}."),
        };

        private static string Describe(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => $"the string \"{element.GetString()}\"",
            JsonValueKind.Number => $"the number {element.GetRawText()}",
            JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
            _ => "null",
        };

        private RuleSetException Error(string? field, string problem, Exception? inner = null) =>
            new(source, _ruleIndex, _ruleName, field, problem, null, inner);
    }
}
