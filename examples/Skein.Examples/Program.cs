using System.Globalization;
using Skein.Examples;
using Skein.Labeling.Rules;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

const string Usage = """
    Skein examples
      verify-rules <shared-data-dir> [--rules-dir DIR]
          Apply examples/rules/{trec,sms}.rules.json to WRENCH trec and sms (train, and sms valid) and compare
          every vote cell with the published weak_labels. Exit code 1 if a train cell differs.
      youtube [csv-dir]
          Apply the 7 C# YouTube spam LFs to the bundled UCI CSVs and print an LF summary.
      label-errors <wrench-youtube-train.json>
          Flip 10% / 20% of the gold labels, find them with confident learning (tfidf + softmax, 5 folds).
      self-training <shared-data-dir>
          Self-training vs none on WRENCH youtube and trec (mv, TF-IDF softmax, 3 seeds); see docs/self-training.md.
      refinement <shared-data-dir>
          kNN and Gaussian-mixture label refinement vs none on WRENCH youtube, sms, trec (mv, MiniLM softmax); see docs/finetuning.md.
      cosine <shared-data-dir> [seeds] [datasets] [gmm]
          Fine-tuning vs COSINE on WRENCH youtube, sms, trec with a trainable adapter over frozen MiniLM embeddings;
          seeds and datasets comma-separated (default 1 and youtube,sms,trec); "gmm" refines the labels first.
    """ + AutoPipelineDemo.Usage + WeakToStrongDemo.Usage;

if (args.Length == 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

try
{
    switch (args[0])
    {
        case "verify-rules" when args.Length is 2 or 4:
            string? rulesDir = args.Length == 4 && args[2] == "--rules-dir" ? args[3] : null;
            return VerifyRules(args[1], rulesDir ?? Path.Combine(AppContext.BaseDirectory, "rules"));
        case "label-errors" when args.Length == 2:
            return LabelErrorsExperiment.Run(args[1], Console.Out);
        case "self-training" when args.Length == 2:
            return SelfTrainingExperiment.Run(args[1], Console.Out);
        case "demo":
            return AutoPipelineDemo.Run(args, Console.Out, Console.Error);
        case "cosine" when args.Length is >= 2 and <= 5:
            return CosineExperiment.Run(
                args[1],
                Console.Out,
                args.Length >= 3 ? [.. args[2].Split(',').Select(int.Parse)] : [1],
                args.Length >= 4 ? args[3].Split(',') : ["youtube", "sms", "trec"],
                args.Length == 5 && args[4] == "gmm");
        case "refinement" when args.Length == 2:
            return RefinementExperiment.Run(args[1], Console.Out);
        case "youtube" when args.Length <= 2:
            return YouTubeDemo.Run(args.Length == 2 ? args[1] : null, Console.Out);
        case "sentiment140-csv" or "ag-news-csv" or "w2s" when args.Length >= 3:
            return args[0] switch { "sentiment140-csv" => WeakToStrongDemo.SentimentCsv(args), "ag-news-csv" => WeakToStrongDemo.AgNewsCsv(args), _ => WeakToStrongDemo.Run(args) };
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }
}
catch (Exception e) when (e is RuleSetException or Skein.IO.DataFormatException or IOException or InvalidDataException or System.Text.Json.JsonException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static int VerifyRules(string dataDir, string rulesDir)
{
    var checks = new (string Rules, string Dataset, string Split, bool MustMatch)[]
    {
        ("trec.rules.json", "wrench_trec", "train.json", true),
        ("sms.rules.json", "wrench_sms", "train.json", true),
        // WRENCH's stored sms valid votes are misaligned with the texts (see the dataset README): report only.
        ("sms.rules.json", "wrench_sms", "valid.json", false),
    };
    bool ok = true;
    foreach (var (rulesFile, dataset, split, mustMatch) in checks)
    {
        var rules = RuleSet.Load(Path.Combine(rulesDir, rulesFile));
        var rows = WrenchFile.Load(Path.Combine(dataDir, dataset, split));
        var result = RuleVerifier.Verify(rules, rows);
        Console.WriteLine($"{dataset}/{split}: {result.Rows:N0} rows × {result.Lfs} LFs = {result.CellsCompared:N0} cells compared, " +
            $"{result.CellsDiffering:N0} differing, {result.RowsIdentical:N0} rows identical{(mustMatch ? "" : " (stored votes known to be misaligned; not expected to match)")}");
        foreach (var d in result.FirstDifferences)
        {
            var text = d.Text.Length > 100 ? d.Text[..100] + "…" : d.Text;
            Console.WriteLine($"  LF {d.Lf} {d.LfName}, row {d.Row} (id {d.RowId}): expected {d.Expected}, got {d.Got}; text: {text}");
        }

        ok &= !mustMatch || result.CellsDiffering == 0;
    }

    return ok ? 0 : 1;
}
