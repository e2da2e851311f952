using System.Globalization;

namespace Cairn.Protocol.Kv;

/// <summary>
/// Client ids: each client key (a principal) owns <see cref="SessionsPerKey"/> ids, so one key can drive many
/// concurrent sessions (a replica's reply cache holds one latest request per client id). Key index 0 is the operator.
/// </summary>
public static class ClientIdentity
{
    /// <summary>Concurrent sessions one key may run.</summary>
    public const int SessionsPerKey = 1024;

    /// <summary>The key index of the operator's key.</summary>
    public const int OperatorKeyIndex = 0;

    /// <summary>The client id of session <paramref name="session"/> of key <paramref name="keyIndex"/>.</summary>
    public static ulong ClientId(int keyIndex, int session)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keyIndex);
        if (session < 0 || session >= SessionsPerKey)
        {
            throw new ArgumentOutOfRangeException(
                nameof(session),
                session,
                string.Create(CultureInfo.InvariantCulture, $"a session is 0..{SessionsPerKey - 1}")
            );
        }

        return ((ulong)keyIndex * SessionsPerKey) + (ulong)session;
    }

    /// <summary>The key index a client id belongs to.</summary>
    public static int KeyIndexOf(ulong clientId) => (int)(clientId / SessionsPerKey);
}
