namespace Skein.Transformers.Onnx;

/// <summary>Initializer names of one transformer block, found by walking the graph.</summary>
internal sealed record BertLayerNames(
    string QueryWeight, string QueryBias, string KeyWeight, string KeyBias, string ValueWeight, string ValueBias,
    string AttentionOutputWeight, string AttentionOutputBias, string AttentionNormWeight, string AttentionNormBias,
    string IntermediateWeight, string IntermediateBias, string OutputWeight, string OutputBias,
    string OutputNormWeight, string OutputNormBias);

/// <summary>
/// Which initializer of an ONNX BERT export holds which weight, and the configuration the graph implies. The
/// mapping follows the graph (a MatMul with a weight initializer feeding an Add with a bias initializer is a dense
/// layer; Div(x − mean, √(var + ε)) · γ + β is a LayerNorm; Q, K and V are told apart by where their products go in
/// the attention), never initializer names, which differ between exporters.
/// </summary>
internal sealed record BertOnnxLayout(
    BertConfig Config,
    string WordEmbeddings,
    string PositionEmbeddings,
    string TokenTypeEmbeddings,
    string EmbeddingNormWeight,
    string EmbeddingNormBias,
    IReadOnlyList<BertLayerNames> Layers)
{
    /// <summary>Maps <paramref name="model"/>; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="InvalidDataException">The graph is not a post-LN BERT encoder with exact GELU.</exception>
    public static BertOnnxLayout Discover(OnnxModel model, byte[] bytes, string source)
    {
        var walker = new GraphWalker(model, bytes, source);
        return walker.Discover();
    }

    private sealed class GraphWalker(OnnxModel model, byte[] bytes, string source)
    {
        private readonly Dictionary<string, int> _producer = Producers(model);
        private readonly Dictionary<string, List<int>> _consumers = Consumers(model);

        private InvalidDataException Bad(string what) =>
            new($"{source}: not the expected BERT encoder graph: {what}.");

        public BertOnnxLayout Discover()
        {
            var nodes = model.Nodes;
            if (!model.Inputs.Contains("input_ids"))
            {
                throw Bad($"no graph input 'input_ids' (inputs: {string.Join(", ", model.Inputs)})");
            }

            // Embedding tables: Gather(table initializer, indices).
            string? word = null, type = null, position = null;
            foreach (var node in nodes.Where(n => n.OpType == "Gather" && n.Inputs.Length == 2 && IsFloatMatrix(n.Inputs[0])))
            {
                string indices = node.Inputs[1];
                if (indices == "input_ids")
                {
                    word = Unique(word, node.Inputs[0], "word-embedding Gather on input_ids");
                }
                else if (indices == "token_type_ids")
                {
                    type = Unique(type, node.Inputs[0], "token-type Gather on token_type_ids");
                }
                else
                {
                    position = Unique(position, node.Inputs[0], "position-embedding Gather");
                }
            }

            if (word is null || position is null)
            {
                throw Bad("no word- and position-embedding Gather nodes over weight initializers");
            }

            int hidden = (int)model.Initializers[word].Dims[1];
            if (type is null)
            {
                throw Bad("no token-type embedding Gather on token_type_ids");
            }

            // Dense layers, LayerNorms and attention products in graph (topological) order.
            var denses = new List<(int Node, string Weight, string Bias, string Output)>();
            var norms = new List<(int Node, string Gamma, string Beta, float Epsilon)>();
            var scoreProducts = new List<int>();
            var contextProducts = new List<int>();
            double? scale = null;
            int erfs = 0, softmaxes = 0, tanhGelu = 0;
            for (int i = 0; i < nodes.Count; i++)
            {
                var n = nodes[i];
                switch (n.OpType)
                {
                    case "MatMul" when n.Inputs.Length == 2 && IsFloatMatrix(n.Inputs[1]):
                        var add = SingleConsumer(n.Outputs[0], "Add");
                        string? bias = add?.Inputs.FirstOrDefault(IsFloatVector);
                        if (add is null || bias is null)
                        {
                            throw Bad($"MatMul '{n.Name}' with weight '{n.Inputs[1]}' is not followed by an Add with a bias initializer");
                        }

                        denses.Add((i, n.Inputs[1], bias, add.Outputs[0]));
                        break;
                    case "MatMul" when n.Inputs.Length == 2:
                        if (_producer.TryGetValue(n.Inputs[0], out int p) && nodes[p].OpType == "Softmax")
                        {
                            contextProducts.Add(i);
                        }
                        else
                        {
                            scoreProducts.Add(i);
                            var div = SingleConsumer(n.Outputs[0], "Div");
                            double? s = div is null ? null : ConstantScalar(div.Inputs[1]);
                            if (s is not { } sv || (scale is { } known && Math.Abs(known - sv) > 1e-6 * sv))
                            {
                                throw Bad($"attention scores of '{n.Name}' are not divided by one constant √(head size)");
                            }

                            scale = sv;
                        }

                        break;
                    case "Mul" when n.Inputs.Length == 2 && IsFloatVector(n.Inputs[1]) && IsNormalized(n.Inputs[0], out float eps):
                        var shift = SingleConsumer(n.Outputs[0], "Add");
                        string? beta = shift?.Inputs.FirstOrDefault(IsFloatVector);
                        if (beta is null)
                        {
                            throw Bad($"LayerNorm scale '{n.Inputs[1]}' is not followed by an Add with a shift initializer");
                        }

                        norms.Add((i, n.Inputs[1], beta, eps));
                        break;
                    case "Erf":
                        erfs++;
                        break;
                    case "Softmax":
                        softmaxes++;
                        break;
                    case "Tanh" when !model.Outputs.Contains(n.Outputs[0]):
                        tanhGelu++;
                        break;
                }
            }

            if (denses.Count == 0 || denses.Count % 6 != 0)
            {
                throw Bad($"{denses.Count} dense (MatMul + bias) layers, not 6 per transformer block");
            }

            int layers = denses.Count / 6;
            if (norms.Count != 1 + (2 * layers))
            {
                throw Bad($"{norms.Count} LayerNorms for {layers} blocks (expected {1 + (2 * layers)}: embeddings and two per block)");
            }

            if (erfs != layers || tanhGelu != 0)
            {
                throw Bad($"{erfs} Erf nodes and {tanhGelu} Tanh nodes for {layers} blocks: the feed-forward GELU must be the exact erf form");
            }

            if (softmaxes != layers || scoreProducts.Count != layers || contextProducts.Count != layers || scale is null)
            {
                throw Bad($"{softmaxes} Softmax nodes and {scoreProducts.Count} score products for {layers} blocks");
            }

            double headSize = scale.Value * scale.Value;
            int heads = (int)Math.Round(hidden / headSize);
            if (heads < 1 || Math.Abs((heads * headSize) - hidden) > 1e-3 * hidden || hidden % heads != 0)
            {
                throw Bad($"the score scale {scale} (√ head size) does not divide hidden width {hidden} into heads");
            }

            if (norms[0].Node > denses[0].Node)
            {
                throw Bad("the embeddings are not followed by a LayerNorm before the first block");
            }

            var layerNames = new List<BertLayerNames>();
            int intermediate = -1;
            for (int l = 0; l < layers; l++)
            {
                var block = denses.GetRange(6 * l, 6);
                string? q = null, k = null, v = null;
                var rest = new List<(int Node, string Weight, string Bias, string Output)>();
                foreach (var d in block)
                {
                    switch (AttentionRole(d.Output, scoreProducts, contextProducts))
                    {
                        case 'q': q = Unique(q, d.Weight, $"query projection of block {l}"); break;
                        case 'k': k = Unique(k, d.Weight, $"key projection of block {l}"); break;
                        case 'v': v = Unique(v, d.Weight, $"value projection of block {l}"); break;
                        default: rest.Add(d); break;
                    }
                }

                if (q is null || k is null || v is null || rest.Count != 3)
                {
                    throw Bad($"block {l}: the query, key and value projections could not be told apart from the attention products");
                }

                string Bias(string weight) => block.First(d => d.Weight == weight).Bias;
                var (ao, ffnIn, ffnOut) = (rest[0], rest[1], rest[2]);
                var attentionNorm = norms[1 + (2 * l)];
                var outputNorm = norms[2 + (2 * l)];
                if (!(ao.Node < attentionNorm.Node && attentionNorm.Node < ffnIn.Node && ffnIn.Node < ffnOut.Node && ffnOut.Node < outputNorm.Node))
                {
                    throw Bad($"block {l} is not post-LN (attention output → LayerNorm → FFN → LayerNorm)");
                }

                int ffn = (int)model.Initializers[ffnIn.Weight].Dims[1];
                intermediate = intermediate < 0 ? ffn : intermediate;
                CheckShape(q, hidden, hidden);
                CheckShape(k, hidden, hidden);
                CheckShape(v, hidden, hidden);
                CheckShape(ao.Weight, hidden, hidden);
                CheckShape(ffnIn.Weight, hidden, intermediate);
                CheckShape(ffnOut.Weight, intermediate, hidden);
                foreach (var (w, b) in new[] { (q, Bias(q)), (k, Bias(k)), (v, Bias(v)), (ao.Weight, ao.Bias), (ffnIn.Weight, ffnIn.Bias), (ffnOut.Weight, ffnOut.Bias) })
                {
                    CheckShape(b, (int)model.Initializers[w].Dims[1]);
                }

                layerNames.Add(new BertLayerNames(
                    q, Bias(q), k, Bias(k), v, Bias(v), ao.Weight, ao.Bias, attentionNorm.Gamma, attentionNorm.Beta,
                    ffnIn.Weight, ffnIn.Bias, ffnOut.Weight, ffnOut.Bias, outputNorm.Gamma, outputNorm.Beta));
            }

            foreach (var norm in norms)
            {
                CheckShape(norm.Gamma, hidden);
                CheckShape(norm.Beta, hidden);
            }

            var positions = model.Initializers[position];
            var types = model.Initializers[type];
            if (positions.Dims[1] != hidden || types.Dims[1] != hidden)
            {
                throw Bad($"the position/token-type tables are not {hidden} wide");
            }

            var config = new BertConfig(layers, hidden, heads, intermediate, (int)model.Initializers[word].Dims[0],
                (int)positions.Dims[0], (int)types.Dims[0], norms[0].Epsilon);
            return new BertOnnxLayout(config, word, position, type, norms[0].Gamma, norms[0].Beta, layerNames);
        }

        private string Unique(string? current, string found, string what) =>
            current is null || current == found ? found : throw Bad($"more than one {what} ('{current}', '{found}')");

        private void CheckShape(string name, params int[] dims)
        {
            var t = model.Initializers[name];
            if (t.DataType != OnnxInitializer.Float || !t.Dims.SequenceEqual(dims.Select(d => (long)d)) || t.DataLength != t.ElementCount * 4)
            {
                throw Bad($"initializer '{name}' is [{string.Join(", ", t.Dims)}] (type {t.DataType}), expected float32 [{string.Join(", ", dims)}] stored inline");
            }
        }

        private bool IsFloatMatrix(string name) =>
            model.Initializers.TryGetValue(name, out var t) && t.DataType == OnnxInitializer.Float && t.Dims.Length == 2;

        private bool IsFloatVector(string name) =>
            model.Initializers.TryGetValue(name, out var t) && t.DataType == OnnxInitializer.Float && t.Dims.Length == 1;

        /// <summary>Whether <paramref name="name"/> is Div(x − mean, Sqrt(var + ε)); ε is returned.</summary>
        private bool IsNormalized(string name, out float epsilon)
        {
            epsilon = 0;
            if (!_producer.TryGetValue(name, out int d) || model.Nodes[d] is not { OpType: "Div" } div
                || !_producer.TryGetValue(div.Inputs[1], out int s) || model.Nodes[s] is not { OpType: "Sqrt" } sqrt
                || !_producer.TryGetValue(sqrt.Inputs[0], out int a) || model.Nodes[a] is not { OpType: "Add" } add)
            {
                return false;
            }

            var eps = add.Inputs.Select(ConstantScalar).FirstOrDefault(v => v is not null);
            if (eps is null)
            {
                return false;
            }

            epsilon = (float)eps.Value;
            return true;
        }

        /// <summary>The single value of a constant (Constant node or initializer), else null.</summary>
        private double? ConstantScalar(string name)
        {
            OnnxInitializer? tensor = model.Initializers.TryGetValue(name, out var init) ? init
                : _producer.TryGetValue(name, out int p) ? model.Nodes[p].ConstantValue : null;
            var values = tensor?.ReadScalars(bytes);
            return values is { Length: 1 } ? values[0] : null;
        }

        private OnnxNode? SingleConsumer(string output, string opType)
        {
            if (!_consumers.TryGetValue(output, out var users))
            {
                return null;
            }

            var matching = users.Select(u => model.Nodes[u]).Where(n => n.OpType == opType).ToList();
            return matching.Count == 1 ? matching[0] : null;
        }

        /// <summary>
        /// Follows a projection's output through Reshape/Transpose to the attention product it feeds: 'q' for the
        /// left operand of QKᵀ, 'k' for the right, 'v' for the right operand of P·V, else '\0'.
        /// </summary>
        private char AttentionRole(string output, List<int> scores, List<int> contexts)
        {
            var frontier = new Queue<(string Value, int Depth)>();
            frontier.Enqueue((output, 0));
            while (frontier.Count > 0)
            {
                var (value, depth) = frontier.Dequeue();
                if (depth > 4 || !_consumers.TryGetValue(value, out var users))
                {
                    continue;
                }

                foreach (int u in users)
                {
                    var n = model.Nodes[u];
                    if (n.OpType is "Reshape" or "Transpose" && n.Inputs[0] == value)
                    {
                        frontier.Enqueue((n.Outputs[0], depth + 1));
                    }
                    else if (scores.Contains(u))
                    {
                        return n.Inputs[0] == value ? 'q' : 'k';
                    }
                    else if (contexts.Contains(u) && n.Inputs[1] == value)
                    {
                        return 'v';
                    }
                }
            }

            return '\0';
        }

        private static Dictionary<string, int> Producers(OnnxModel model)
        {
            var map = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < model.Nodes.Count; i++)
            {
                foreach (var o in model.Nodes[i].Outputs)
                {
                    map[o] = i;
                }
            }

            return map;
        }

        private static Dictionary<string, List<int>> Consumers(OnnxModel model)
        {
            var map = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            for (int i = 0; i < model.Nodes.Count; i++)
            {
                foreach (var input in model.Nodes[i].Inputs)
                {
                    if (!map.TryGetValue(input, out var list))
                    {
                        map[input] = list = [];
                    }

                    list.Add(i);
                }
            }

            return map;
        }
    }
}
