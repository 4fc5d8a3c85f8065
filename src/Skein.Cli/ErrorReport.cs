using System.Reflection;
using System.Text;
using System.Text.Json;
using Skein.IO;
using Skein.Labeling;
using Skein.Labeling.Rules;

namespace Skein.Cli;

/// <summary>
/// Turns an exception that ends a command into an exit code and one line on stderr: 1 for data and file-system
/// errors, 2 for usage errors, 3 for everything else (a bug), with the stack trace only under <c>--verbose</c>.
/// </summary>
internal static class ErrorReport
{
    /// <summary>Prints the error and returns the exit code.</summary>
    public static int Write(Exception exception, TextWriter error, bool verbose)
    {
        var e = Unwrap(exception);
        int code = ExitCodeFor(e);
        switch (code)
        {
            case ExitCodes.InternalError:
                error.WriteLine($"internal error: {e.GetType().Name}: {OneLine(e.Message)}");
                if (verbose)
                {
                    error.WriteLine(exception.ToString());
                }
                else
                {
                    error.WriteLine("This is a bug in skein. Rerun with --verbose for the stack trace and please report it.");
                }

                break;
            case ExitCodes.DataError when e is OutOfMemoryException:
                error.WriteLine("error: out of memory; the input is too large for this machine (or for the chosen model).");
                break;
            default:
                error.WriteLine($"error: {OneLine(e.Message)}");
                if (verbose)
                {
                    error.WriteLine(exception.ToString());
                }

                break;
        }

        return code;
    }

    /// <summary>
    /// The exit code for an exception. Data errors are the library's typed exceptions (readers, rules files, LFs,
    /// refused outputs, an encoder file of the wrong architecture, a fine-tune whose loss diverged), file-system errors,
    /// JSON syntax errors, and a plain <see cref="ArgumentException"/> from the
    /// library, which is how it rejects data of the wrong shape (no rows, counts that do not match). An
    /// <see cref="ArgumentException"/> about an options record, and its subclasses (null or out-of-range
    /// arguments), mean the CLI passed something it should have validated: a bug.
    /// </summary>
    public static int ExitCodeFor(Exception e) => Unwrap(e) switch
    {
        UsageException => ExitCodes.UsageError,
        DataFormatException or RuleSetException or LabelingFunctionException or IOException or UnauthorizedAccessException
            or JsonException or DecoderFallbackException or OperationCanceledException or InvalidDataException
            or Skein.Transformers.TrainingDivergedException => ExitCodes.DataError,
        OutOfMemoryException or InsufficientExecutionStackException => ExitCodes.DataError,
        ArgumentException a when a.GetType() == typeof(ArgumentException) && a.ParamName != "options" => ExitCodes.DataError,
        _ => ExitCodes.InternalError,
    };

    // Parallel loops and reflection wrap the exception that matters.
    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case AggregateException { InnerExceptions.Count: 1 } a:
                    e = a.InnerExceptions[0];
                    continue;
                case TargetInvocationException { InnerException: { } inner }:
                    e = inner;
                    continue;
                default:
                    return e;
            }
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
