using Google.Protobuf;

namespace Skein.Transformers.Onnx;

/// <summary>One initializer (weight tensor) of an ONNX graph and where its payload lies in the model's bytes.</summary>
/// <param name="Name">The initializer's name.</param>
/// <param name="Dims">Its dimensions.</param>
/// <param name="DataType">ONNX TensorProto.DataType (1 = FLOAT, 7 = INT64).</param>
/// <param name="DataOffset">Offset of the little-endian payload (raw_data or packed float_data) in the model bytes.</param>
/// <param name="DataLength">Length of the payload in bytes; -1 when the tensor keeps its data elsewhere.</param>
internal sealed record OnnxInitializer(string Name, long[] Dims, int DataType, int DataOffset, int DataLength)
{
    public const int Float = 1;
    public const int Int64 = 7;

    public long ElementCount => Dims.Aggregate(1L, (a, d) => a * d);

    /// <summary>Copies the payload out as float32; the tensor must be FLOAT with inline data.</summary>
    public float[] ReadFloats(byte[] model)
    {
        if (DataType != Float || DataLength != ElementCount * sizeof(float))
        {
            throw new InvalidDataException(
                $"ONNX initializer '{Name}' is not an inline float32 tensor of shape [{string.Join(", ", Dims)}] "
                + $"(data type {DataType}, {DataLength} payload bytes).");
        }

        var values = new float[ElementCount];
        // ONNX stores raw_data and packed float_data little-endian, as this runtime's float layout is.
        Buffer.BlockCopy(model, DataOffset, values, 0, DataLength);
        return values;
    }

    /// <summary>The values of a small INT64 or FLOAT tensor as doubles (shape and scale constants).</summary>
    public double[] ReadScalars(byte[] model)
    {
        var span = model.AsSpan(DataOffset, Math.Max(0, DataLength));
        return DataType switch
        {
            Int64 when DataLength == ElementCount * 8 =>
                [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(span).ToArray().Select(v => (double)v)],
            Float when DataLength == ElementCount * 4 =>
                [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(span).ToArray().Select(v => (double)v)],
            _ => [],
        };
    }
}

/// <summary>One node of an ONNX graph: its operator, inputs and outputs, and the tensor of a Constant node.</summary>
internal sealed record OnnxNode(string OpType, string Name, string[] Inputs, string[] Outputs, OnnxInitializer? ConstantValue);

/// <summary>
/// The subset of an ONNX ModelProto the encoder needs: graph nodes in their (topological) order, initializers with
/// the byte ranges of their payloads, graph input and output names. Parsed with Google.Protobuf's
/// <see cref="CodedInputStream"/> over the onnx.proto field numbers, without copying tensor payloads, so that a save
/// can overwrite the payloads in place and keep every other byte of the file.
/// </summary>
internal sealed class OnnxModel
{
    // onnx.proto field numbers (onnx/onnx, onnx.proto).
    private const int ModelGraph = 7;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int GraphInput = 11;
    private const int GraphOutput = 12;
    private const int GraphSparseInitializer = 15;
    private const int NodeInput = 1;
    private const int NodeOutput = 2;
    private const int NodeName = 3;
    private const int NodeOpType = 4;
    private const int NodeAttribute = 5;
    private const int AttributeName = 1;
    private const int AttributeTensor = 5;
    private const int TensorDims = 1;
    private const int TensorDataType = 2;
    private const int TensorFloatData = 4;
    private const int TensorName = 8;
    private const int TensorRawData = 9;
    private const int TensorExternalData = 13;
    private const int TensorDataLocation = 14;
    private const int ValueInfoName = 1;

    private OnnxModel(List<OnnxNode> nodes, Dictionary<string, OnnxInitializer> initializers, List<string> inputs, List<string> outputs)
    {
        Nodes = nodes;
        Initializers = initializers;
        Inputs = inputs;
        Outputs = outputs;
    }

    public IReadOnlyList<OnnxNode> Nodes { get; }

    public IReadOnlyDictionary<string, OnnxInitializer> Initializers { get; }

    public IReadOnlyList<string> Inputs { get; }

    public IReadOnlyList<string> Outputs { get; }

    /// <summary>Parses <paramref name="model"/>; <paramref name="source"/> names the file in error messages.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model with a graph.</exception>
    public static OnnxModel Parse(byte[] model, string source)
    {
        try
        {
            var nodes = new List<OnnxNode>();
            var initializers = new Dictionary<string, OnnxInitializer>(StringComparer.Ordinal);
            var inputs = new List<string>();
            var outputs = new List<string>();
            bool sawGraph = false;
            foreach (var (field, start, length) in Fields(model, 0, model.Length))
            {
                if (field != ModelGraph || length < 0)
                {
                    continue;
                }

                sawGraph = true;
                foreach (var (g, s, l) in Fields(model, start, length))
                {
                    switch (g)
                    {
                        case GraphNode when l >= 0:
                            nodes.Add(ParseNode(model, s, l));
                            break;
                        case GraphInitializer when l >= 0:
                            var tensor = ParseTensor(model, s, l);
                            initializers[tensor.Name] = tensor;
                            break;
                        case GraphSparseInitializer:
                            throw new InvalidDataException($"{source}: sparse initializers are not supported.");
                        case GraphInput when l >= 0:
                            inputs.Add(ValueInfoNameAt(model, s, l));
                            break;
                        case GraphOutput when l >= 0:
                            outputs.Add(ValueInfoNameAt(model, s, l));
                            break;
                    }
                }
            }

            if (!sawGraph || nodes.Count == 0)
            {
                throw new InvalidDataException($"{source} is not an ONNX model: it has no graph (ModelProto field 7) with nodes.");
            }

            return new OnnxModel(nodes, initializers, inputs, outputs);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{source} is not a valid ONNX protobuf: {e.Message}", e);
        }
    }

    /// <summary>
    /// The fields of the message in model[start, start+length): field number, payload offset and payload length
    /// (length -1 for fields that are not length-delimited, which the caller skips).
    /// </summary>
    private static IEnumerable<(int Field, int Start, int Length)> Fields(byte[] model, int start, int length)
    {
        var input = new CodedInputStream(model, start, length);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            int field = WireFormat.GetTagFieldNumber(tag);
            if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
            {
                // Scalars (varint/fixed) are read by the callers that need them through ScalarFields.
                input.SkipLastField();
                yield return (field, -1, -1);
                continue;
            }

            // Read the length, note where the payload begins, then skip over it; CodedInputStream.Position is
            // the absolute offset in the array.
            long before = input.Position;
            int payload = input.ReadLength();
            int payloadStart = checked((int)input.Position);
            if (payload < 0 || payloadStart + (long)payload > start + (long)length)
            {
                throw new InvalidDataException($"Truncated protobuf field {field} at byte {before}.");
            }

            yield return (field, payloadStart, payload);
            input = Resume(model, payloadStart + payload, start + length);
        }
    }

    private static CodedInputStream Resume(byte[] model, int position, int end) => new(model, position, end - position);

    private static OnnxNode ParseNode(byte[] model, int start, int length)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        string name = "", opType = "";
        OnnxInitializer? constant = null;
        foreach (var (field, s, l) in Fields(model, start, length))
        {
            switch (field)
            {
                case NodeInput when l >= 0:
                    inputs.Add(Utf8(model, s, l));
                    break;
                case NodeOutput when l >= 0:
                    outputs.Add(Utf8(model, s, l));
                    break;
                case NodeName when l >= 0:
                    name = Utf8(model, s, l);
                    break;
                case NodeOpType when l >= 0:
                    opType = Utf8(model, s, l);
                    break;
                case NodeAttribute when l >= 0:
                    string attributeName = "";
                    OnnxInitializer? tensor = null;
                    foreach (var (a, @as, al) in Fields(model, s, l))
                    {
                        if (a == AttributeName && al >= 0)
                        {
                            attributeName = Utf8(model, @as, al);
                        }
                        else if (a == AttributeTensor && al >= 0)
                        {
                            tensor = ParseTensor(model, @as, al);
                        }
                    }

                    if (attributeName == "value" && tensor is not null)
                    {
                        constant = tensor;
                    }

                    break;
            }
        }

        return new OnnxNode(opType, name, [.. inputs], [.. outputs], constant);
    }

    private static OnnxInitializer ParseTensor(byte[] model, int start, int length)
    {
        var dims = new List<long>();
        int dataType = 0;
        string name = "";
        int dataOffset = 0, dataLength = -1;
        bool external = false;
        var input = new CodedInputStream(model, start, length);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            int field = WireFormat.GetTagFieldNumber(tag);
            var wire = WireFormat.GetTagWireType(tag);
            switch (field)
            {
                case TensorDims when wire == WireFormat.WireType.Varint:
                    dims.Add(input.ReadInt64());
                    break;
                case TensorDims when wire == WireFormat.WireType.LengthDelimited:
                    int packed = input.ReadLength();
                    long end = input.Position + packed;
                    var sub = new CodedInputStream(model, checked((int)input.Position), packed);
                    while (sub.Position < end)
                    {
                        dims.Add(sub.ReadInt64());
                    }

                    input = new CodedInputStream(model, checked((int)end), start + length - checked((int)end));
                    break;
                case TensorDataType when wire == WireFormat.WireType.Varint:
                    dataType = input.ReadInt32();
                    break;
                case TensorDataLocation when wire == WireFormat.WireType.Varint:
                    external |= input.ReadInt32() == 1;
                    break;
                case TensorExternalData:
                    external = true;
                    input.SkipLastField();
                    break;
                case TensorName or TensorRawData or TensorFloatData when wire == WireFormat.WireType.LengthDelimited:
                    int payload = input.ReadLength();
                    int at = checked((int)input.Position);
                    if (field == TensorName)
                    {
                        name = Utf8(model, at, payload);
                    }
                    else if (payload > 0 || dataLength < 0)
                    {
                        // raw_data and packed float_data (fixed32) are little-endian in place; raw_data is what
                        // exporters write. Typed varint fields (int64_data) are not read: no weight uses them.
                        dataOffset = at;
                        dataLength = payload;
                    }

                    input = new CodedInputStream(model, at + payload, start + length - (at + payload));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        if (external)
        {
            dataLength = -1;
        }

        return new OnnxInitializer(name, [.. dims], dataType, dataOffset, dataLength);
    }

    private static string ValueInfoNameAt(byte[] model, int start, int length)
    {
        foreach (var (field, s, l) in Fields(model, start, length))
        {
            if (field == ValueInfoName && l >= 0)
            {
                return Utf8(model, s, l);
            }
        }

        return "";
    }

    private static string Utf8(byte[] model, int start, int length) => System.Text.Encoding.UTF8.GetString(model, start, length);
}
