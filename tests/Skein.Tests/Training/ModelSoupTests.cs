using Skein.EndModels;
using Skein.Training;
using static Skein.Tests.EndModels.EndModelFixtures;

namespace Skein.Tests.Training;

public sealed class ModelSoupTests
{
    private static readonly Mlp Trainer = new(new MlpOptions { HiddenSizes = [32], Epochs = 15, BatchSize = 32, Dropout = 0.1 });

    [Fact]
    public void A_soup_of_identical_models_is_the_same_model()
    {
        var model = new Mlp(Trainer.Options with { Seed = 1 }).Fit(Train.X, Train.Y);
        var soup = ModelSoup.Uniform([model, model, model]);
        Assert.Equal(model.PredictProba(Train.X).Values.ToArray(), soup.PredictProba(Train.X).Values.ToArray());

        var softmax = new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1 }).Fit(Train.X, Train.Y);
        var softSoup = ModelSoup.Uniform((IReadOnlyList<EndModel>)[softmax, softmax]);
        Assert.Equal(softmax.PredictProba(Train.X).Values.ToArray(), softSoup.PredictProba(Train.X).Values.ToArray());
    }

    [Fact]
    public void A_soup_averages_every_parameter()
    {
        var a = new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1, MaxIterations = 5 }).Fit(Train.X, Train.Y);
        var b = new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1, MaxIterations = 50 }).Fit(Train.X, Train.Y);
        var soup = ModelSoup.Uniform([a, b]);
        for (int i = 0; i < a.Weights.Length; i++)
        {
            Assert.Equal((float)((a.Weights[i] + (double)b.Weights[i]) / 2), soup.Weights[i]);
        }

        Assert.Equal((float)((a.Biases[2] + (double)b.Biases[2]) / 2), soup.Biases[2]);
    }

    [Fact]
    public void Runs_from_one_init_make_a_soup_as_good_as_its_ingredients()
    {
        var test = MakeBlobs(600, 5, 3, seed: 11, spread: 1);
        var train = MakeBlobs(600, 5, 3, seed: 12, spread: 1);
        var runs = ModelSoup.TrainFromOneInit(Trainer, train.X, train.Y, count: 4, seed: 3);
        Assert.Equal(4, runs.Count);
        Assert.NotEqual(runs[0].PredictProba(test.X).Values.ToArray(), runs[1].PredictProba(test.X).Values.ToArray());

        double worst = runs.Min(m => Accuracy(m.Predict(test.X), test.Gold));
        double soup = Accuracy(ModelSoup.Uniform(runs).Predict(test.X), test.Gold);
        Assert.True(soup >= worst - 0.01, $"soup {soup:F3}, worst ingredient {worst:F3}");

        var greedy = ModelSoup.Greedy([.. runs], m => Accuracy(m.Predict(test.X), test.Gold));
        Assert.Equal(greedy.IngredientScores.Max(), greedy.IngredientScores[greedy.Ingredients[0]]);
        Assert.True(greedy.Score >= greedy.IngredientScores.Max());
        Assert.Equal(greedy.Score, Accuracy(greedy.Soup.Predict(test.X), test.Gold));
    }

    [Fact]
    public void Models_of_different_shapes_or_types_are_rejected()
    {
        var small = new Mlp(Trainer.Options with { Seed = 1, Epochs = 1 }).Fit(Train.X, Train.Y);
        var wide = new Mlp(Trainer.Options with { Seed = 1, Epochs = 1, HiddenSizes = [8] }).Fit(Train.X, Train.Y);
        var softmax = new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1, MaxIterations = 2 }).Fit(Train.X, Train.Y);
        Assert.Contains("layer sizes", Assert.Throws<ArgumentException>(() => ModelSoup.Uniform([small, wide])).Message, StringComparison.Ordinal);
        Assert.Contains("one type", Assert.Throws<ArgumentException>(() => ModelSoup.Uniform((IReadOnlyList<EndModel>)[small, softmax])).Message, StringComparison.Ordinal);
        var other = new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1, MaxIterations = 2 }).Fit(Train.X.SelectRows([0, 1, 2]), OneHot([0, 1, 1], 2));
        Assert.Throws<ArgumentException>(() => ModelSoup.Uniform([softmax, other]));
        Assert.Throws<ArgumentException>(() => ModelSoup.Uniform(Array.Empty<MlpModel>()));
    }
}
