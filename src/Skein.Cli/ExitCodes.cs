namespace Skein.Cli;

/// <summary>Process exit codes of the <c>skein</c> command (docs/cli.md has the table).</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>
    /// The input data, a rules or model file, or an output path is wrong (or the file system refused a read or
    /// write); the message names the file and, where known, the row and column.
    /// </summary>
    public const int DataError = 1;

    /// <summary>The command line is wrong: unknown option, missing, out-of-range or conflicting options.</summary>
    public const int UsageError = 2;

    /// <summary>A bug in Skein: one line on stderr, the stack trace with <c>--verbose</c>.</summary>
    public const int InternalError = 3;
}

/// <summary>A command-line mistake found after parsing (e.g. two options that exclude each other).</summary>
internal sealed class UsageException(string message) : Exception(message);
