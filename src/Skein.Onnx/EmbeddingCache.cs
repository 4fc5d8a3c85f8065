using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Skein.Onnx;

/// <summary>
/// An on-disk map from text to embedding for one model, so that reruns skip the model. Entries are keyed by
/// SHA-256 of (model id, normalised text) and kept in one append-only file per model in a directory:
/// <c>{directory}/{hash of model id}.skemb</c>.
/// </summary>
/// <remarks>
/// <para>File layout: an 8-byte magic "SKEMBED1", int32 dimension, int32 byte length and UTF-8 bytes of the
/// model id; then fixed-size records of a 32-byte key, <c>dimension</c> little-endian float32s and an 8-byte
/// checksum (the first 8 bytes of SHA-256 over key and vector).</para>
/// <para>Robustness: a file with a wrong header is ignored (and replaced on the next write); a record whose
/// checksum fails is skipped; a truncated last record is ignored and cut off before the next append. Reading
/// never throws for the file's content or for I/O errors: the cache then starts empty and the texts are
/// embedded again. Writers take an exclusive lock on <c>{file}.lock</c>, so several processes may share the
/// directory; readers need no lock, since they stop at the first incomplete record.</para>
/// <para>The whole file is loaded into memory when the cache is created (1.6 KB per 384-d entry); entries that
/// other processes append later are not seen. Instances are thread-safe.</para>
/// </remarks>
public sealed class EmbeddingCache
{
    private const int KeySize = 32;
    private const int ChecksumSize = 8;
    private static readonly byte[] s_magic = "SKEMBED1"u8.ToArray();

    private readonly Dictionary<Key, float[]> _entries = [];
    private readonly Lock _gate = new();
    private readonly byte[] _header;
    private readonly int _recordSize;

    /// <summary>Opens (or prepares to create) the cache file of <paramref name="modelId"/> in <paramref name="directory"/>.</summary>
    /// <param name="directory">Created on the first write if missing.</param>
    /// <param name="modelId">The embedder's <see cref="ISentenceEmbedder.ModelId"/>.</param>
    /// <param name="dimension">The embedder's <see cref="ISentenceEmbedder.Dimension"/>.</param>
    public EmbeddingCache(string directory, string modelId, int dimension)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ModelId = modelId;
        Dimension = dimension;
        var id = Encoding.UTF8.GetBytes(modelId);
        FilePath = Path.Combine(Path.GetFullPath(directory),
            Convert.ToHexStringLower(SHA256.HashData(id))[..24] + ".skemb");
        _header = [.. s_magic, .. Int32Bytes(dimension), .. Int32Bytes(id.Length), .. id];
        _recordSize = KeySize + dimension * sizeof(float) + ChecksumSize;
        Load();
    }

    /// <summary>The model id the entries belong to.</summary>
    public string ModelId { get; }

    /// <summary>The length of every vector.</summary>
    public int Dimension { get; }

    /// <summary>The cache file.</summary>
    public string FilePath { get; }

    /// <summary>Entries in memory.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Records skipped while loading because they were damaged (bad checksum or truncated).</summary>
    public int DamagedRecords { get; private set; }

    /// <summary>Why the last load or write failed, if one did; the cache keeps working from memory.</summary>
    public string? LastError { get; private set; }

    /// <summary>
    /// The text as the cache keys it: trimmed, with each run of spaces, tabs and line breaks made one space. BERT
    /// splits words on exactly these, so texts that normalise alike get the same word pieces and vector.
    /// </summary>
    public static string NormalizeText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var span = text.AsSpan().Trim(" \t\r\n");
        var builder = new StringBuilder(span.Length);
        bool space = false;
        foreach (char c in span)
        {
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                space = true;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.Length == text.Length ? text : builder.ToString();
    }

    /// <summary>A copy of the cached vector of <paramref name="text"/>, if there is one.</summary>
    public bool TryGet(string text, [NotNullWhen(true)] out float[]? vector)
    {
        var key = KeyOf(NormalizeText(text));
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var stored))
            {
                vector = (float[])stored.Clone();
                return true;
            }
        }

        vector = null;
        return false;
    }

    /// <summary>Adds vectors to memory and appends the new ones to the file (best effort: see <see cref="LastError"/>).</summary>
    /// <exception cref="ArgumentException">The lists differ in length or a vector has the wrong dimension.</exception>
    public void Add(IReadOnlyList<string> texts, IReadOnlyList<float[]> vectors)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(vectors);
        if (texts.Count != vectors.Count)
        {
            throw new ArgumentException($"{texts.Count} texts but {vectors.Count} vectors.", nameof(vectors));
        }

        var fresh = new List<(Key Key, float[] Vector)>(texts.Count);
        lock (_gate)
        {
            for (int i = 0; i < texts.Count; i++)
            {
                if (vectors[i]?.Length != Dimension)
                {
                    throw new ArgumentException($"Vector {i} must hold {Dimension} floats.", nameof(vectors));
                }

                var key = KeyOf(NormalizeText(texts[i]));
                if (_entries.TryAdd(key, (float[])vectors[i].Clone()))
                {
                    fresh.Add((key, _entries[key]));
                }
            }

            if (fresh.Count > 0)
            {
                Append(fresh);
            }
        }
    }

    private Key KeyOf(string normalized)
    {
        var bytes = Encoding.UTF8.GetBytes(ModelId + "\n" + normalized);
        Span<byte> hash = stackalloc byte[KeySize];
        SHA256.HashData(bytes, hash);
        return MemoryMarshal.Read<Key>(hash);
    }

    private void Load()
    {
        try
        {
            if (!File.Exists(FilePath))
            {
                return;
            }

            // FileShare.ReadWrite | Delete: a writer may be appending, or replacing a damaged file, meanwhile.
            using var stream = new FileStream(FilePath, FileMode.Open, FileAccess.Read,
                FileShare.ReadWrite | FileShare.Delete, bufferSize: 1 << 16);
            var header = new byte[_header.Length];
            if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) != header.Length
                || !header.AsSpan().SequenceEqual(_header))
            {
                LastError = $"{FilePath}: not a cache file of this model and dimension; ignored.";
                return;
            }

            var record = new byte[_recordSize];
            while (true)
            {
                int read = stream.ReadAtLeast(record, record.Length, throwOnEndOfStream: false);
                if (read < record.Length)
                {
                    if (read > 0)
                    {
                        DamagedRecords++;
                    }

                    break;
                }

                if (TryParse(record, out var key, out var vector))
                {
                    _entries.TryAdd(key, vector);
                }
                else
                {
                    DamagedRecords++;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LastError = $"{FilePath}: {e.Message}";
        }
    }

    private bool TryParse(ReadOnlySpan<byte> record, out Key key, [NotNullWhen(true)] out float[]? vector)
    {
        var body = record[..^ChecksumSize];
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(body, hash);
        key = MemoryMarshal.Read<Key>(body);
        vector = null;
        if (!hash[..ChecksumSize].SequenceEqual(record[^ChecksumSize..]))
        {
            return false;
        }

        var values = new float[Dimension];
        var payload = body[KeySize..];
        for (int d = 0; d < values.Length; d++)
        {
            values[d] = BinaryPrimitives.ReadSingleLittleEndian(payload[(d * sizeof(float))..]);
        }

        // A checksum match on non-finite values means the writer stored garbage; do not serve it.
        if (!values.All(float.IsFinite))
        {
            return false;
        }

        vector = values;
        return true;
    }

    private void Append(List<(Key Key, float[] Vector)> fresh)
    {
        var buffer = new byte[fresh.Count * _recordSize];
        Span<byte> hash = stackalloc byte[32];
        for (int r = 0; r < fresh.Count; r++)
        {
            var record = buffer.AsSpan(r * _recordSize, _recordSize);
            var (key, vector) = fresh[r];
            MemoryMarshal.Write(record, in key);
            for (int d = 0; d < vector.Length; d++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(record[(KeySize + d * sizeof(float))..], vector[d]);
            }

            SHA256.HashData(record[..^ChecksumSize], hash);
            hash[..ChecksumSize].CopyTo(record[^ChecksumSize..]);
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            using var fileLock = AcquireWriteLock();
            if (fileLock is null)
            {
                LastError = $"{FilePath}.lock: another writer held the lock too long; entries kept in memory only.";
                return;
            }

            using var stream = new FileStream(FilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite,
                FileShare.ReadWrite | FileShare.Delete);
            if (!HasValidHeader(stream))
            {
                stream.SetLength(0);
                stream.Write(_header);
            }

            // Cut a torn last record (a writer that died mid-append) so that records stay aligned.
            long whole = _header.Length + (stream.Length - _header.Length) / _recordSize * _recordSize;
            if (whole != stream.Length)
            {
                stream.SetLength(whole);
            }

            stream.Position = whole;
            stream.Write(buffer);
            stream.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LastError = $"{FilePath}: {e.Message}";
        }
    }

    private bool HasValidHeader(FileStream stream)
    {
        if (stream.Length < _header.Length)
        {
            return false;
        }

        var header = new byte[_header.Length];
        stream.Position = 0;
        stream.ReadExactly(header);
        return header.AsSpan().SequenceEqual(_header);
    }

    private FileStream? AcquireWriteLock()
    {
        // FileShare.None is an exclusive advisory lock (flock on Unix) held while the stream is open.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return new FileStream(FilePath + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    private static byte[] Int32Bytes(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Key(ulong A, ulong B, ulong C, ulong D);
}
