using System.Runtime.InteropServices;
using Skein.Cli;
using Skein.IO;

// An exception on a thread the command did not join still ends in one line and exit 3, not a runtime abort (134).
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    Console.Error.WriteLine($"internal error: {(e.ExceptionObject as Exception)?.GetType().Name}: {(e.ExceptionObject as Exception)?.Message}");
    AtomicFile.DeleteTemporaryFiles();
    Environment.Exit(ExitCodes.InternalError);
};

// SIGINT/SIGTERM: delete the temporary output files still being written, then let the default handling end the process.
static void OnSignal(PosixSignalContext signal)
{
    int deleted = AtomicFile.DeleteTemporaryFiles();
    Console.Error.WriteLine($"interrupted ({signal.Signal}); {(deleted == 1 ? "1 unfinished output was" : $"{deleted} unfinished outputs were")} deleted.");
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
return SkeinApp.Run(args, Console.Out, Console.Error);
