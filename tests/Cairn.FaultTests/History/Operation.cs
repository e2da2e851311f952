using System.Globalization;

namespace Cairn.FaultTests.History;

/// <summary>One client operation of a history, with the times it was invoked and answered (or given up on).</summary>
/// <param name="Id">Its index in the history.</param>
/// <param name="Client">The client session that ran it (one operation at a time per client).</param>
/// <param name="Value">For a put, the value written; for a get that succeeded, the value read (null: key
/// absent).</param>
/// <param name="InvokedAt">Ticks of the history's clock when the request was sent.</param>
/// <param name="CompletedAt">Ticks when the answer arrived (or the client gave up, for <see
/// cref="Outcome.Unknown"/>).</param>
public sealed record Operation(
    int Id,
    int Client,
    OperationKind Kind,
    string Key,
    string? Value,
    Outcome Outcome,
    long InvokedAt,
    long CompletedAt
)
{
    /// <summary>One line for a report, times in milliseconds from <paramref name="origin"/>.</summary>
    public string Describe(long origin, long ticksPerMillisecond)
    {
        var invoked = (InvokedAt - origin) / (double)ticksPerMillisecond;
        var completed = (CompletedAt - origin) / (double)ticksPerMillisecond;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"#{Id} client {Client} {(Kind == OperationKind.Put ? "put" : "get")} {Key} "
                + $"{(Kind == OperationKind.Put ? "<- " : "-> ")}{Value ?? "(absent)"} "
                + $"[{invoked:0.0} ms .. "
                + $"{(Outcome == Outcome.Unknown ? "?" : completed.ToString("0.0", CultureInfo.InvariantCulture))} "
                + $"ms] {Outcome.ToString().ToLowerInvariant()}"
        );
    }
}
