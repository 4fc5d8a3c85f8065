using Skein.EndModels;
using Skein.LabelModels;
using Skein.Training;

namespace Skein.Tests;

public class OptionChecksTests
{
    private static readonly OptionChecks Check = new("DemoOptions");

    [Theory]
    [InlineData(0.0, false, false, true)]
    [InlineData(1.0, false, false, true)]
    [InlineData(0.0, true, false, false)]
    [InlineData(1.0, false, true, false)]
    [InlineData(double.NaN, false, false, false)]
    public void InRange_honours_open_and_closed_ends(double value, bool minOpen, bool maxOpen, bool ok)
    {
        var error = Record.Exception(() => Check.InRange(value, 0, 1, minOpen, maxOpen));
        Assert.Equal(ok, error is null);
    }

    [Fact]
    public void Messages_name_the_record_the_option_the_value_and_the_range()
    {
        var options = new MlpOptions { Epochs = 0, Dropout = 1, LearningRate = double.PositiveInfinity };
        var e = Assert.Throws<ArgumentException>(() => Check.AtLeast(options.Epochs, 1));
        Assert.StartsWith("DemoOptions.Epochs = 0; it must be at least 1.", e.Message, StringComparison.Ordinal);
        Assert.Equal("options", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Check.InRange(options.Dropout, 0, 1, maxOpen: true));
        Assert.StartsWith("DemoOptions.Dropout = 1; it must be in [0, 1).", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Check.Positive(options.LearningRate));
        Assert.StartsWith("DemoOptions.LearningRate = Infinity; it must be a finite number > 0.", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Check.Defined((Activation)99));
        Assert.Contains("is not defined", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Check.NotEmpty<int>([]));
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Check.Parallelism(0));
        Check.Parallelism(-1);
        Check.Probability(0.5);
    }

    [Fact]
    public void Trainers_report_through_the_shared_checks()
    {
        var e = Assert.Throws<ArgumentException>(() => new Mlp(new MlpOptions { Epochs = 0 }));
        Assert.StartsWith("MlpOptions.Epochs = 0; it must be at least 1.", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new DawidSkene(new DawidSkeneOptions { Tolerance = -1 }));
        Assert.StartsWith("DawidSkeneOptions.Tolerance = -1; it must be a finite number ≥ 0.", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new SelfTraining(new SoftmaxRegression(), new SelfTrainingOptions { Threshold = 2 }));
        Assert.StartsWith("SelfTrainingOptions.Threshold = 2; it must be in [0, 1].", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new MatrixCompletion(new MatrixCompletionOptions { PrecisionInitPerLf = [0.5, 1.5] }));
        Assert.StartsWith("MatrixCompletionOptions.PrecisionInitPerLf[1] = 1.5; it must be in [0, 1].", e.Message, StringComparison.Ordinal);
    }
}
