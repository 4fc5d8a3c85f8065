using Spectre.Console;

namespace Skein.Cli;

/// <summary>Where a command writes: results to stdout, progress and errors to stderr.</summary>
internal sealed class CliContext
{
    public CliContext(TextWriter output, TextWriter error)
    {
        Output = output;
        Error = error;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.No,
        });

        // Redirected output defaults to 80 columns, which wraps LF tables; a pipe has no width to respect.
        if (!Console.Profile.Capabilities.Ansi)
        {
            Console.Profile.Width = 160;
        }
    }

    /// <summary>Standard output: results only, so it can be piped.</summary>
    public TextWriter Output { get; }

    /// <summary>Standard error: progress lines and messages.</summary>
    public TextWriter Error { get; }

    /// <summary>Spectre console over <see cref="Output"/> for tables.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>The declared encoding of data and rules files (<c>--encoding</c>); null = detect (BOM, else strict UTF-8).</summary>
    public System.Text.Encoding? Encoding { get; set; }

    /// <summary>Suppress progress lines.</summary>
    public bool Quiet { get; set; }

    /// <summary>Writes one progress line to stderr unless quiet.</summary>
    public void Progress(string message)
    {
        if (!Quiet)
        {
            Error.WriteLine(message);
        }
    }
}
