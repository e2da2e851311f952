using Cairn.Core.Crypto;

namespace Cairn.Operator;

/// <summary>
/// Decides whether a replica accepts an operator command: signed by the operator key, for this replica's chain
/// (<paramref name="chainId"/>), issued within
/// <see cref="Window"/> of the replica's notion of now (consensus time for ordered commands, so every replica decides
/// the same), and with a nonce not seen before. Returns the reason for a refusal, never throws for bad commands.
/// </summary>
public sealed class OperatorCommandVerifier(VerificationKey operatorKey, string chainId, TimeSpan window)
{
    /// <summary>How far a command's issue time may be from now, either way.</summary>
    public TimeSpan Window => window;

    /// <summary>Null when <paramref name="command"/> is acceptable at <paramref name="now"/>, else why not.</summary>
    /// <param name="nonceSeen">Whether this nonce was already accepted (the caller keeps the record).</param>
    public string? Refusal(OperatorCommand command, DateTimeOffset now, Func<ulong, bool> nonceSeen)
    {
        if (!command.Verify(operatorKey))
        {
            return "the command is not signed by this cluster's operator key";
        }

        if (command.ChainId != chainId)
        {
            return $"the command is for chain '{command.ChainId}', not this replica's chain '{chainId}' (the "
                + "operator config's chain_id)";
        }

        if ((command.IssuedAt - now).Duration() > window)
        {
            return $"the command was issued at {command.IssuedAt:O}, more than {window.TotalSeconds:0} s from the "
                + $"replica's time {now:O}";
        }

        return nonceSeen(command.Nonce) ? $"nonce {command.Nonce:x16} was already used (a replayed command)" : null;
    }
}
