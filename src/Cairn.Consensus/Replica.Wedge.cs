using Cairn.ClientProtocol;
using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// A wedge: the executed state names a checkpoint boundary where ordering stops (an operator's <c>wedge stop</c>), and
/// the host reports it with every execution, state transfer and restart. From then on client requests are neither held
/// nor proposed (a held request's timer would start view changes for a request nobody may order); the primary fills the
/// window up to the wedge point with no-ops and past it proposes only operator requests, so every replica stops with
/// its last executed seq at the wedge point until the operator's <c>unwedge</c> is ordered; backups refuse a
/// PRE-PREPARE past the point that carries client requests. docs/consensus.md, "Wedge".
/// </summary>
public sealed partial class Replica
{
    private SeqNum? _wedgePoint;

    /// <summary>Where ordering stops, as this replica's executed state says; null when it does not.</summary>
    public SeqNum? WedgePoint => _wedgePoint;

    private void SetWedgePoint(SeqNum? point)
    {
        _wedgePoint = point;
        if (point is null)
        {
            return;
        }

        foreach (var client in _pending.Where(p => !IsOperator(p.Value.Request)).Select(p => p.Key).ToList())
        {
            _pending.Remove(client);
        }
    }

    /// <summary>Client requests are not ordered while a wedge is in force; operator requests (the unwedge)
    /// are.</summary>
    private bool RefusedByWedge(ClientRequest request) => _wedgePoint is not null && !IsOperator(request);

    /// <summary>Is <paramref name="seq"/> past the wedge point, where only operator requests are ordered?</summary>
    private bool PastWedgePoint(SeqNum seq) => _wedgePoint is { } point && seq > point;

    /// <summary>A PRE-PREPARE past the wedge point may carry only operator requests. A correct primary knows the
    /// point before it gets there: it is two windows after the seq that ordered it.</summary>
    private bool AllowedPastWedgePoint(SeqNum seq, Batch batch) =>
        !PastWedgePoint(seq) || batch.Requests.All(IsOperator);

    private static bool IsOperator(ClientRequest request) => request.Flags.HasFlag(RequestFlags.Operator);
}
