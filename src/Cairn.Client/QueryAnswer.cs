namespace Cairn.Client;

/// <summary>One replica's answer to a query with a JSON answer: the answer, its refusal, or neither when it did not
/// answer.</summary>
/// <param name="Status">The replica's answer, parsed; null when it refused or did not answer.</param>
/// <param name="Refusal">Why it refused, or why its answer was rejected; null when it answered or was silent.</param>
public sealed record QueryAnswer<T>(int Replica, T? Status, string? Refusal)
    where T : class;
