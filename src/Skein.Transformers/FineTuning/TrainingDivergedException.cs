namespace Skein.Transformers;

/// <summary>Training produced a NaN or infinite loss; the fit stops and nothing is returned.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for a stage, epoch (1-based) and learning rate.</summary>
    public TrainingDivergedException(string stage, int epoch, double learningRate, double loss)
        : base($"{stage}: the training loss became {loss} in epoch {epoch} at learning rate {learningRate:G4}; lower the learning rate or check the inputs.")
    {
        Stage = stage;
        Epoch = epoch;
        LearningRate = learningRate;
    }

    /// <summary>Creates the exception with a message.</summary>
    public TrainingDivergedException()
        : this("training", 0, double.NaN, double.NaN)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TrainingDivergedException(string message)
        : base(message)
    {
        Stage = "training";
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public TrainingDivergedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Stage = "training";
    }

    /// <summary>The stage that diverged (e.g. "fine-tune", "COSINE self-training").</summary>
    public string Stage { get; } = "training";

    /// <summary>The epoch (1-based) in which the loss stopped being finite.</summary>
    public int Epoch { get; }

    /// <summary>The learning rate of the step that produced it.</summary>
    public double LearningRate { get; }
}
