namespace Skein.LabelModels;

/// <summary>
/// What a fitted label model learned (Snorkel's <c>get_weights</c>, extended): each LF's accuracy
/// P(λ_j = Y | λ_j ≠ abstain), its propensity P(λ_j ≠ abstain) under the model, and the class prior. A list is
/// null when the model has no such parameter (majority vote learns no accuracies; weighted majority vote only
/// class weights).
/// </summary>
/// <param name="ModelName">The model's <see cref="LabelModel.ModelName"/>.</param>
/// <param name="Cardinality">Number of classes, k.</param>
/// <param name="LfNames">LF names (or lf0, lf1, … when the model was not given any), one per LF.</param>
/// <param name="Accuracies">Learned accuracy per LF, or null.</param>
/// <param name="Propensities">Learned P(λ_j ≠ abstain) per LF, or null.</param>
/// <param name="ClassPrior">Learned or given P(Y = y), or null.</param>
public sealed record LabelModelWeights(
    string ModelName,
    int Cardinality,
    IReadOnlyList<string> LfNames,
    IReadOnlyList<double>? Accuracies,
    IReadOnlyList<double>? Propensities,
    IReadOnlyList<double>? ClassPrior);
