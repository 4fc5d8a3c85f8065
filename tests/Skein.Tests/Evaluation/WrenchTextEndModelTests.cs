using Skein.Evaluation;

namespace Skein.Tests.Evaluation;

/// <summary>What <see cref="WrenchProtocol.Run"/> hands a text end model, with and without valid.json.</summary>
public sealed class WrenchTextEndModelTests
{
    // A WRENCH folder with texts: 12 train rows, 3 LFs; rows 10 and 11 are labeled_ids; valid.json only when asked.
    private static string Folder(bool withValid)
    {
        var dir = Path.Combine(Path.GetTempPath(), "skein-wrench-text-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        static string Items(int n, int offset) => "{" + string.Join(",", Enumerable.Range(0, n).Select(i =>
            $"\"{i + offset}\": {{\"label\": {i % 2}, \"weak_labels\": [{i % 2}, {(i % 3 == 0 ? -1 : i % 2)}, -1], \"data\": {{\"text\": \"text {i + offset}\"}}}}")) + "}";
        File.WriteAllText(Path.Combine(dir, "train.json"), Items(12, 0));
        File.WriteAllText(Path.Combine(dir, "labeled_ids.json"), """{"labeled_ids": ["10", "11"]}""");
        if (withValid)
        {
            File.WriteAllText(Path.Combine(dir, "valid.json"), Items(6, 100));
        }

        return dir;
    }

    private sealed class Recorder : IWrenchTextEndModel
    {
        public WrenchTextEndModelInput? Input { get; private set; }

        public string Name => "recorder";

        public WrenchTextEndModelResult Fit(WrenchTextEndModelInput input)
        {
            Input = input;
            return new WrenchTextEndModelResult(Name, [new WrenchStageScore("end_model", 50, null, 0)]);
        }
    }

    [Fact]
    public void Without_valid_json_the_labeled_ids_rows_are_the_selection_rows_and_stay_out_of_train()
    {
        var recorder = new Recorder();
        var dir = Folder(withValid: false);
        var result = WrenchProtocol.Run(dir, new WrenchProtocolOptions
        {
            Model = LabelModelCatalog.MajorityVote, TextEndModel = recorder, Seed = 0, LabeledIds = LabeledIdsPolicy.Drop,
        });
        Directory.Delete(dir, recursive: true);

        var input = recorder.Input!;
        Assert.Equal(WrenchValidSource.LabeledIds, input.ValidSource);
        Assert.Equal(WrenchValidSource.LabeledIds, result.TextEndModel!.ValidSource);
        Assert.Equal(["text 10", "text 11"], input.ValidTexts);
        Assert.Equal([0, 1], input.ValidGold);
        Assert.Equal(2, result.TextEndModel.SelectionRows);
        Assert.Equal(10, input.TrainTexts.Count);
        Assert.DoesNotContain("text 10", input.TrainTexts);
        Assert.InRange(result.TextEndModel.LabelModelValid!.Value, 0, 100);
        Assert.Equal(input.TrainTexts.Count, input.Covered.Count);
        Assert.Equal(input.TrainTexts.Count, input.TrainLabels.RowCount);
    }

    [Fact]
    public void With_valid_json_the_valid_rows_are_the_selection_rows_and_the_label_model_scores_match()
    {
        var recorder = new Recorder();
        var dir = Folder(withValid: true);
        var result = WrenchProtocol.Run(dir, new WrenchProtocolOptions
        {
            Model = LabelModelCatalog.MajorityVote, TextEndModel = recorder, Seed = 0, LabeledIds = LabeledIdsPolicy.Drop,
        });
        Directory.Delete(dir, recursive: true);

        Assert.Equal(WrenchValidSource.ValidFile, recorder.Input!.ValidSource);
        Assert.Equal(6, recorder.Input.ValidTexts!.Count);
        Assert.Equal(result.Valid, result.TextEndModel!.LabelModelValid);
        Assert.Null(recorder.Input.TestTexts);
    }
}
