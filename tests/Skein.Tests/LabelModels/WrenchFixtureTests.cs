using Skein.Data;
using Skein.Evaluation;
using Skein.LabelModels;
using Skein.Tests.Examples;

namespace Skein.Tests.LabelModels;

/// <summary>
/// The models on WRENCH's youtube train split (in-repo fixture), against a plain-Python transcription of WRENCH's
/// MajorityVoting / DawidSkene and Snorkel's probs_to_preds ("random" SHA1 tie-break).
/// </summary>
public sealed class WrenchFixtureTests
{
    private static readonly Lazy<(LabelMatrix Matrix, int[] Gold)> YouTube = new(() =>
    {
        var rows = ExampleData.YouTubeFixture();
        return (LabelMatrix.FromRows(rows.Select(r => (IReadOnlyList<int>)r.WeakLabels).ToArray(), 2),
            rows.Select(r => r.Label).ToArray());
    });

    [Fact]
    public void Dawid_skene_on_youtube_train_matches_the_python_reference()
    {
        var (matrix, gold) = YouTube.Value;

        var model = new DawidSkene().Fit(matrix);
        var probs = model.PredictProba(matrix);

        Assert.Equal(91, model.Iterations);
        Assert.Equal(0.5407229661293367, model.ClassPrior[0], 1e-10);
        Assert.Equal(0.15250416566206906, probs[0, 1], 1e-10);
        Assert.Equal(0.9558904286983064, probs[1, 1], 1e-10);
        Assert.Equal(0.29854328156277155, probs[2, 1], 1e-10); // uncovered row: abstention is informative in DS
        Assert.Equal(0.9999994329373658, probs[1000, 1], 1e-10);
        Assert.Equal(0.8202846975088968, Metrics.Accuracy(gold, model.Predict(matrix, TieBreakPolicy.Random)), 1e-15);
    }

    [Fact]
    public void Majority_vote_on_youtube_train_matches_the_python_reference()
    {
        var (matrix, gold) = YouTube.Value;

        var preds = new MajorityVote().Fit(matrix).Predict(matrix, TieBreakPolicy.Random);

        Assert.Equal(0.8096085409252669, Metrics.Accuracy(gold, preds), 1e-15);
    }
}
