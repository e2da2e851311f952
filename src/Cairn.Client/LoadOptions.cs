namespace Cairn.Client;

/// <summary>What <see cref="LoadGenerator"/> sends: <paramref name="Requests"/> puts of <paramref name="ValueSize"/>
/// random bytes, spread over <paramref name="Clients"/> concurrent client sessions.</summary>
public sealed record LoadOptions(int Requests, int Clients, int ValueSize)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the option and its accepted range.</summary>
    public void Validate()
    {
        if (Requests is < 1 or > 100_000_000)
        {
            throw new ArgumentException($"--requests {Requests}: accepted 1 to 100000000");
        }

        if (Clients is < 1 or > Protocol.Kv.ClientIdentity.SessionsPerKey - 1)
        {
            throw new ArgumentException(
                $"--clients {Clients}: accepted 1 to {Protocol.Kv.ClientIdentity.SessionsPerKey - 1}"
            );
        }

        if (ValueSize is < 0 or > 16 * 1024 * 1024)
        {
            throw new ArgumentException($"--value-size {ValueSize}: accepted 0 to 16777216 bytes");
        }
    }
}
