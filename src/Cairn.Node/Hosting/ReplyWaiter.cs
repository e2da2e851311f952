using Cairn.ClientProtocol;

namespace Cairn.Node.Hosting;

/// <summary>
/// One transmission of a client request waiting for this replica's reply (<see cref="ReplicaHost.Order"/>). The
/// consensus thread hands it the reply as soon as the group that executed the request is durable, so a reply costs no
/// thread hop of its own between the consensus thread and the stream it goes out on.
/// </summary>
public abstract class ReplyWaiter
{
    /// <summary>Another transmission of the same request that waits too (<see cref="ClientReplyWaiters"/>).</summary>
    internal ReplyWaiter? Next { get; set; }

    /// <summary>When the request was queued for ordering (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    internal long Queued { get; set; }

    /// <summary>Takes this replica's reply. Called on the consensus thread, or on the thread that ordered a read a
    /// wedged replica answers at once, so it must neither block nor throw.</summary>
    public abstract void Deliver(ClientReply reply);
}
