using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Crypto;

namespace Cairn.Simulation;

/// <summary>
/// Safety checker: no two correct replicas execute different batches (or consensus times) at one seq, reach
/// different state digests at one seq, or report different stable checkpoints at one seq; every certificate verifies.
/// </summary>
public sealed class SafetyMonitor(IReadOnlyList<VerificationKey> replicaKeys, int f)
{
    private readonly Dictionary<ulong, (Digest Batch, DateTimeOffset Time, Digest State, int Replica)> _executed = [];
    private readonly Dictionary<ulong, (Digest Digest, int Replica)> _stable = [];

    public List<string> Violations { get; } = [];

    public int StableCheckpoints => _stable.Count;

    public ulong HighestExecuted => _executed.Count == 0 ? 0 : _executed.Keys.Max();

    public void OnExecuted(int replica, SeqNum seq, Batch batch, DateTimeOffset time, Digest stateAfter)
    {
        var batchDigest = Digest.Compute(batch.Encoded);
        if (!_executed.TryGetValue(seq.Value, out var first))
        {
            _executed[seq.Value] = (batchDigest, time, stateAfter, replica);
            return;
        }

        if (first.Batch != batchDigest || first.Time != time)
        {
            Violations.Add(
                $"seq {seq}: replica {replica} executed a different batch/time than replica {first.Replica}"
            );
        }
        else if (first.State != stateAfter)
        {
            Violations.Add(
                $"seq {seq}: replica {replica} reached state {stateAfter} but replica {first.Replica} reached "
                    + $"{first.State}"
            );
        }
    }

    public void OnStateTransferred(int replica, SeqNum seq, Digest state)
    {
        if (_executed.TryGetValue(seq.Value, out var first) && first.State != state)
        {
            Violations.Add(
                $"seq {seq}: replica {replica} installed state {state} but replica {first.Replica} executed to "
                    + $"{first.State}"
            );
        }
    }

    public void OnStable(int replica, SeqNum seq, Digest digest, StableCheckpointCertificate certificate)
    {
        if (!certificate.Verify(replicaKeys, f) || certificate.Seq != seq || certificate.StateDigest != digest)
        {
            Violations.Add(
                $"seq {seq}: replica {replica} reported a stable checkpoint whose certificate does not verify"
            );
        }

        if (!_stable.TryGetValue(seq.Value, out var first))
        {
            _stable[seq.Value] = (digest, replica);
        }
        else if (first.Digest != digest)
        {
            Violations.Add(
                $"stable checkpoint {seq}: replica {replica} has {digest}, replica {first.Replica} has {first.Digest}"
            );
        }
    }

    public void OnOversizedMessage(int replica, int bytes, long bound) =>
        Violations.Add($"replica {replica} sent a {bytes}-byte message, over the {bound}-byte bound");

    public void OnInvariant(int replica, string message) => Violations.Add($"replica {replica}: {message}");
}
