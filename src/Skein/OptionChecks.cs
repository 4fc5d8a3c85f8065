using System.Globalization;
using System.Runtime.CompilerServices;

namespace Skein;

/// <summary>
/// Range checks for option records, written once so every trainer words its errors the same way:
/// <c>"MlpOptions.Epochs = 0; it must be at least 1."</c>. The option's name is taken from the argument expression
/// (<c>options.Epochs</c> → <c>Epochs</c>), so a call reads <c>check.AtLeast(options.Epochs, 1)</c>. Every failure is an
/// <see cref="ArgumentException"/> whose parameter is the options argument.
/// </summary>
/// <param name="record">The option record's type name, e.g. <c>nameof(MlpOptions)</c>.</param>
/// <param name="parameter">The constructor parameter holding the options (default "options").</param>
public readonly struct OptionChecks(string record, string parameter = "options")
{
    /// <summary>The option record's type name, the prefix of every message.</summary>
    public string Record { get; } = record;

    /// <summary>The parameter named by the thrown exceptions.</summary>
    public string Parameter { get; } = parameter;

    /// <summary>An integer at least <paramref name="min"/>.</summary>
    /// <exception cref="ArgumentException">It is smaller.</exception>
    public void AtLeast(int value, int min, [CallerArgumentExpression(nameof(value))] string? option = null)
    {
        if (value < min)
        {
            Fail(option, Format(value), $"it must be at least {Format(min)}.");
        }
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <exception cref="ArgumentException">It is outside.</exception>
    public void InRange(int value, int min, int max, [CallerArgumentExpression(nameof(value))] string? option = null)
    {
        if (value < min || value > max)
        {
            Fail(option, Format(value), $"it must be in [{Format(min)}, {Format(max)}].");
        }
    }

    /// <summary>
    /// A number in the interval from <paramref name="min"/> to <paramref name="max"/>; each end is closed unless
    /// <paramref name="minOpen"/> / <paramref name="maxOpen"/> say otherwise. NaN is always refused.
    /// </summary>
    /// <exception cref="ArgumentException">It is outside (or NaN).</exception>
    public void InRange(double value, double min, double max, bool minOpen = false, bool maxOpen = false,
        [CallerArgumentExpression(nameof(value))] string? option = null)
    {
        bool above = minOpen ? value > min : value >= min;
        bool below = maxOpen ? value < max : value <= max;
        if (!(above && below))
        {
            Fail(option, Format(value), $"it must be in {(minOpen ? "(" : "[")}{Format(min)}, {Format(max)}{(maxOpen ? ")" : "]")}.");
        }
    }

    /// <summary>A probability: a number in [0, 1].</summary>
    /// <exception cref="ArgumentException">It is outside (or NaN).</exception>
    public void Probability(double value, [CallerArgumentExpression(nameof(value))] string? option = null) =>
        InRange(value, 0, 1, option: option);

    /// <summary>A finite number &gt; 0.</summary>
    /// <exception cref="ArgumentException">It is not.</exception>
    public void Positive(double value, [CallerArgumentExpression(nameof(value))] string? option = null)
    {
        if (!(double.IsFinite(value) && value > 0))
        {
            Fail(option, Format(value), "it must be a finite number > 0.");
        }
    }

    /// <summary>A finite number ≥ 0.</summary>
    /// <exception cref="ArgumentException">It is not.</exception>
    public void NonNegative(double value, [CallerArgumentExpression(nameof(value))] string? option = null)
    {
        if (!(double.IsFinite(value) && value >= 0))
        {
            Fail(option, Format(value), "it must be a finite number ≥ 0.");
        }
    }

    /// <summary>A defined member of <typeparamref name="TEnum"/>.</summary>
    /// <exception cref="ArgumentException">It is not defined.</exception>
    public void Defined<TEnum>(TEnum value, [CallerArgumentExpression(nameof(value))] string? option = null)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentException($"{Record}.{Name(option)} = {value} is not defined (no such {typeof(TEnum).Name}).", Parameter);
        }
    }

    /// <summary>A thread count: -1 (all cores) or a positive number.</summary>
    /// <exception cref="ArgumentException">It is 0 or below -1.</exception>
    public void Parallelism(int value, [CallerArgumentExpression(nameof(value))] string? option = null)
    {
        if (value is not (-1 or > 0))
        {
            Fail(option, Format(value), "use -1 or a positive count.");
        }
    }

    /// <summary>A list with at least one entry.</summary>
    /// <exception cref="ArgumentException">It is null or empty.</exception>
    public void NotEmpty<TItem>(IReadOnlyCollection<TItem>? value, [CallerArgumentExpression(nameof(value))] string? option = null)
    {
        if (value is not { Count: > 0 })
        {
            throw new ArgumentException($"{Record}.{Name(option)} is {(value is null ? "null" : "empty")}; give at least one entry.", Parameter);
        }
    }

    /// <summary>Any other rule: <paramref name="message"/> follows the record's name, e.g. "Seeds: give each seed once.".</summary>
    /// <exception cref="ArgumentException"><paramref name="ok"/> is false.</exception>
    public void That(bool ok, string message)
    {
        if (!ok)
        {
            throw new ArgumentException($"{Record}.{message}", Parameter);
        }
    }

    /// <summary>Formats a number the way the messages do (invariant culture, shortest round-trip form).</summary>
    public static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    private void Fail(string? option, string value, string rule) =>
        throw new ArgumentException($"{Record}.{Name(option)} = {value}; {rule}", Parameter);

    /// <summary>"options.Epochs" → "Epochs"; "o.Student.Epochs" → "Student.Epochs" is kept after the first dot.</summary>
    private static string Name(string? expression)
    {
        if (string.IsNullOrEmpty(expression))
        {
            return "?";
        }

        int dot = expression.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? expression : expression[(dot + 1)..];
    }
}
