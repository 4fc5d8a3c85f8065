using Skein.Data;
using Skein.EndModels;
using Skein.Features;

namespace Skein.Training;

/// <summary>The result of <see cref="ModelSoup.Greedy"/>.</summary>
/// <param name="Soup">The uniform soup of the chosen ingredients.</param>
/// <param name="Ingredients">Indices (into the given list) of the ingredients in the soup, in the order they were added.</param>
/// <param name="IngredientScores">Held-out score of every given model.</param>
/// <param name="Score">Held-out score of the soup.</param>
public sealed record GreedySoupResult(EndModel Soup, IReadOnlyList<int> Ingredients, IReadOnlyList<double> IngredientScores, double Score);

/// <summary>
/// Model soups (Wortsman et al. 2022): average the parameters of several fitted models of the same shape. Averaging
/// works when the ingredients lie in one basin of the loss, i.e. they were fine-tuned from one shared initialisation
/// (<see cref="TrainFromOneInit"/>); soups of independently initialised networks usually average unrelated hidden
/// units and predict badly (a softmax regression is convex, so any of its soups is fine).
/// </summary>
public static class ModelSoup
{
    /// <summary>Uniform soup: the element-wise mean of every weight and bias (computed in double, stored as float).</summary>
    /// <param name="models">At least one model, all <see cref="MlpModel"/> or all <see cref="SoftmaxRegressionModel"/> of one shape.</param>
    /// <exception cref="ArgumentException">No models, mixed types, or different shapes (layer sizes, activation, features, classes).</exception>
    public static EndModel Uniform(IReadOnlyList<EndModel> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (models.Count == 0)
        {
            throw new ArgumentException("A soup needs at least one model.", nameof(models));
        }

        if (models.All(m => m is MlpModel))
        {
            return Uniform([.. models.Cast<MlpModel>()]);
        }

        if (models.All(m => m is SoftmaxRegressionModel))
        {
            return Uniform([.. models.Cast<SoftmaxRegressionModel>()]);
        }

        throw new ArgumentException(
            $"A soup needs models of one type (all MLP or all softmax regression); got {string.Join(", ", models.Select(m => m?.ModelName).Distinct())}.",
            nameof(models));
    }

    /// <summary>Uniform soup of MLPs with identical layer sizes and activation.</summary>
    /// <exception cref="ArgumentException">No models, or different layer sizes or activations.</exception>
    public static MlpModel Uniform(IReadOnlyList<MlpModel> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (models.Count == 0)
        {
            throw new ArgumentException("A soup needs at least one model.", nameof(models));
        }

        var first = models[0].Network;
        for (int m = 1; m < models.Count; m++)
        {
            var net = models[m].Network;
            if (!net.Sizes.SequenceEqual(first.Sizes) || net.Activation != first.Activation)
            {
                throw new ArgumentException(
                    $"Model {m} has layer sizes [{string.Join(", ", net.Sizes)}] and {net.Activation}; model 0 has " +
                    $"[{string.Join(", ", first.Sizes)}] and {first.Activation}. Only models of one shape can be averaged.", nameof(models));
            }
        }

        var weights = Enumerable.Range(0, first.Weights.Length).Select(l => Mean(models.Select(m => m.Network.Weights[l]).ToArray())).ToArray();
        var biases = Enumerable.Range(0, first.Biases.Length).Select(l => Mean(models.Select(m => m.Network.Biases[l]).ToArray())).ToArray();
        var soup = new Mlp.Network((int[])first.Sizes.Clone(), first.Activation, weights, biases);
        return new MlpModel(models[0].FeatureCount, models[0].Cardinality, models[0].Seed, [], soup);
    }

    /// <summary>Uniform soup of softmax regressions with the same feature and class counts.</summary>
    /// <exception cref="ArgumentException">No models, or different feature or class counts.</exception>
    public static SoftmaxRegressionModel Uniform(IReadOnlyList<SoftmaxRegressionModel> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (models.Count == 0)
        {
            throw new ArgumentException("A soup needs at least one model.", nameof(models));
        }

        int d = models[0].FeatureCount, k = models[0].Cardinality;
        for (int m = 1; m < models.Count; m++)
        {
            if (models[m].FeatureCount != d || models[m].Cardinality != k)
            {
                throw new ArgumentException(
                    $"Model {m} has {models[m].FeatureCount} features and {models[m].Cardinality} classes; model 0 has {d} and {k}. " +
                    "Only models of one shape can be averaged.", nameof(models));
            }
        }

        var theta = Mean([.. models.Select(m => (float[])[.. m.Weights, .. m.Biases])]);
        return new SoftmaxRegressionModel(d, k, models[0].Seed, [], theta);
    }

    /// <summary>
    /// Greedy soup (Wortsman et al. 2022): sort the models by held-out score (best first, ties by index), start the
    /// soup with the best, and add each next model only if the uniform soup with it scores at least as well.
    /// </summary>
    /// <param name="models">Candidate ingredients of one type and shape.</param>
    /// <param name="score">Held-out score of a model, higher is better (e.g. accuracy on a validation set).</param>
    /// <exception cref="ArgumentException">No models, mixed types or shapes, or a score that is NaN.</exception>
    public static GreedySoupResult Greedy(IReadOnlyList<EndModel> models, Func<EndModel, double> score)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(score);
        Uniform(models); // validates type and shape up front
        var scores = models.Select(m => Checked(score(m))).ToArray();
        var order = Enumerable.Range(0, models.Count).OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();
        var chosen = new List<int> { order[0] };
        var soup = models[order[0]];
        double best = scores[order[0]];
        foreach (int candidate in order.Skip(1))
        {
            var trial = Uniform([.. chosen.Append(candidate).Select(i => models[i])]);
            double s = Checked(score(trial));
            if (s >= best)
            {
                chosen.Add(candidate);
                soup = trial;
                best = s;
            }
        }

        return new GreedySoupResult(soup, chosen, scores, best);

        static double Checked(double s) => double.IsNaN(s) ? throw new ArgumentException("The soup score returned NaN.", nameof(score)) : s;
    }

    /// <summary>
    /// Trains <paramref name="count"/> MLPs from one shared random initialisation (drawn from <paramref name="seed"/>),
    /// each with its own seed (<paramref name="seed"/> + 1 + i) for data order, dropout and any validation split: the
    /// ingredients of a soup, by <c>Mlp.Fit(…, objective, initialModel: init)</c>.
    /// </summary>
    /// <param name="trainer">The MLP trainer whose options (layers, epochs, …) every run uses; its seed is replaced.</param>
    /// <param name="features">n×d features.</param>
    /// <param name="labels">n×k soft labels.</param>
    /// <param name="count">Number of runs, at least 1.</param>
    /// <param name="seed">Seed of the shared initialisation; run i uses seed + 1 + i.</param>
    /// <param name="weights">Optional per-row weights.</param>
    /// <param name="validation">Optional explicit validation set for early stopping.</param>
    /// <param name="objective">Optional per-batch objective (the same instance for every run; it should be stateless).</param>
    /// <exception cref="ArgumentException">Count below 1, or as <see cref="Mlp.Fit(FeatureMatrix, ProbabilisticLabels, IReadOnlyList{double}?, ValidationSet?)"/>.</exception>
    public static IReadOnlyList<MlpModel> TrainFromOneInit(Mlp trainer, FeatureMatrix features, ProbabilisticLabels labels, int count, int seed,
        IReadOnlyList<double>? weights = null, ValidationSet? validation = null, ISoftTargetObjective? objective = null)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var o = trainer.Options;
        int[] sizes = [features.ColumnCount, .. o.HiddenSizes, labels.Cardinality];
        var init = new MlpModel(features.ColumnCount, labels.Cardinality, seed, [], Mlp.Network.Initialise(sizes, o.Activation, new Random(seed)));
        return [.. Enumerable.Range(0, count).Select(i =>
            new Mlp(o with { Seed = seed + 1 + i }).Fit(features, labels, weights, validation, objective, init))];
    }

    private static float[] Mean(float[][] arrays)
    {
        var result = new float[arrays[0].Length];
        for (int j = 0; j < result.Length; j++)
        {
            double sum = 0;
            foreach (var a in arrays)
            {
                sum += a[j];
            }

            result[j] = (float)(sum / arrays.Length);
        }

        return result;
    }
}
