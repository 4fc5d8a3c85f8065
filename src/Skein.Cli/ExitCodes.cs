namespace Skein.Cli;

/// <summary>Process exit codes of the <c>skein</c> command.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The input data (or a rules file) is wrong; the message names file, row and column.</summary>
    public const int DataError = 1;

    /// <summary>The command line is wrong: unknown option, missing or conflicting options.</summary>
    public const int UsageError = 2;
}

/// <summary>A command-line mistake found after parsing (e.g. two options that exclude each other).</summary>
internal sealed class UsageException(string message) : Exception(message);
