namespace Cairn.Operator;

/// <summary>The nonces of operator queries a replica has answered, kept for as long as a command with that nonce could
/// still be inside the accepted time window; older ones are forgotten (the window refuses them anyway).</summary>
public sealed class NonceCache(TimeSpan retention)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, DateTimeOffset> _seen = [];

    /// <summary>Records <paramref name="nonce"/>; false when it was already recorded (a replay).</summary>
    public bool TryAdd(ulong nonce, DateTimeOffset now)
    {
        lock (_lock)
        {
            foreach (var expired in _seen.Where(kv => now - kv.Value > retention).Select(kv => kv.Key).ToList())
            {
                _seen.Remove(expired);
            }

            return _seen.TryAdd(nonce, now);
        }
    }

    /// <summary>Whether <paramref name="nonce"/> is recorded.</summary>
    public bool Contains(ulong nonce)
    {
        lock (_lock)
        {
            return _seen.ContainsKey(nonce);
        }
    }
}
