using System.CommandLine;
using System.Globalization;
using Skein.IO;

namespace Skein.Cli;

/// <summary>
/// Checks every output file of a parsed command against every input file before the command runs, so no command
/// can overwrite its own input or a special file, and a bad output path fails at once rather than after the work.
/// Outputs are the file options named <see cref="OutputOptionNames"/>; every other file or folder option is an input.
/// Commands whose outputs are not a single file option (the demo's report folder) call <see cref="OutputGuard"/> themselves.
/// </summary>
internal static class OutputChecks
{
    /// <summary>File options that name a file the command writes.</summary>
    public static readonly IReadOnlySet<string> OutputOptionNames = new HashSet<string>(StringComparer.Ordinal) { "--out", "--report" };

    /// <summary>Throws <see cref="UnsafeOutputException"/> for the first refused output of the parsed command.</summary>
    public static void Check(ParseResult parsed)
    {
        var outputs = new List<string>();
        var inputs = new List<string>();
        foreach (var option in parsed.CommandResult.Command.Options)
        {
            bool isOutput = OutputOptionNames.Contains(option.Name);
            foreach (var path in Paths(parsed, option))
            {
                (isOutput && option is Option<FileInfo> ? outputs : inputs).Add(path);
            }
        }

        foreach (var output in outputs)
        {
            OutputGuard.Check(output, inputs);
        }
    }

    /// <summary>The paths an option holds, as the user typed them (FileSystemInfo.ToString is the original path).</summary>
    private static IEnumerable<string> Paths(ParseResult parsed, Option option)
    {
        if (parsed.GetResult(option) is null)
        {
            return [];
        }

        object? value = option switch
        {
            Option<FileInfo> f => parsed.GetValue(f),
            Option<FileInfo[]> fs => parsed.GetValue(fs),
            Option<DirectoryInfo> d => parsed.GetValue(d),
            _ => null,
        };
        return value switch
        {
            FileSystemInfo one => [one.ToString()],
            FileSystemInfo[] many => many.Select(f => f.ToString()),
            _ => [],
        };
    }
}

/// <summary>
/// Range checks for options every command spells the same way, attached once to the whole command tree so each
/// command's option is checked at parse time and reported in CLI terms (exit 2), never as a library options message.
/// </summary>
internal static class OptionChecks
{
    /// <summary>Adds the checks to every matching option under <paramref name="root"/>.</summary>
    public static void Attach(Command root)
    {
        foreach (var option in root.Options)
        {
            switch (option)
            {
                case Option<int> seed when seed.Name == "--seed":
                    seed.CustomParser = r => ParseSeed(r) ?? 0;
                    break;
                case Option<int?> seed when seed.Name == "--seed":
                    seed.CustomParser = ParseSeed;
                    break;
                default:
                    break;
            }
        }

        foreach (var sub in root.Subcommands)
        {
            Attach(sub);
        }
    }

    // Seeds are recorded and passed on to numpy-compatible generators: a non-negative 32-bit integer.
    private static int? ParseSeed(System.CommandLine.Parsing.ArgumentResult result)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int seed) && seed >= 0)
        {
            return seed;
        }

        result.AddError($"--seed must be an integer in [0, {int.MaxValue}], not '{token}'.");
        return null;
    }
}
