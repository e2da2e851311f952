namespace Cairn.FaultTests.History;

/// <summary>The client load of a scenario: how many sessions run operations at once, on how many keys, and how large
/// each written value is (0: just the value's unique text).</summary>
public sealed record LoadShape(int Sessions, int Keys, int ValueSize)
{
    /// <summary>Few sessions on few keys, so operations on one key overlap often and a stale read would show.</summary>
    public static LoadShape Default { get; } = new(Sessions: 6, Keys: 8, ValueSize: 0);

    /// <summary>Many sessions writing 16 KB values: batches as large as the load makes them, as a new user's
    /// <c>cairn load --clients 200 --value-size 16384</c> does. More keys keep the checker's search per key
    /// small.</summary>
    public static LoadShape LargeValues { get; } = new(Sessions: 200, Keys: 200, ValueSize: 16 * 1024);
}
