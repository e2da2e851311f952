using System.Globalization;
using System.Numerics;

namespace Cairn.Core;

/// <summary>
/// One numeric configuration key: the default an operator gets when the key is left out and the values accepted.
/// Written once next to what consumes the value; the config loaders, the options' validation and the tests that check
/// docs/configuration.md all read it from there.
/// </summary>
/// <param name="Default">The value used when the key is absent.</param>
/// <param name="Min">The smallest value accepted (excluded when <paramref name="MinExclusive"/>).</param>
/// <param name="Max">The largest value accepted.</param>
/// <param name="MinExclusive">True when <paramref name="Min"/> itself is refused, as for a fraction in (0, 1].</param>
public sealed record Setting<T>(T Default, T Min, T Max, bool MinExclusive = false)
    where T : struct, INumber<T>
{
    /// <summary>True when <paramref name="value"/> is in the accepted range.</summary>
    public bool Accepts(T value) => (MinExclusive ? value > Min : value >= Min) && value <= Max;

    /// <summary>The accepted range as error messages print it: "1 to 100", or "(0, 1]" with an excluded
    /// minimum.</summary>
    public string Range =>
        MinExclusive
            ? string.Create(CultureInfo.InvariantCulture, $"({Min}, {Max}]")
            : string.Create(CultureInfo.InvariantCulture, $"{Min} to {Max}");
}
