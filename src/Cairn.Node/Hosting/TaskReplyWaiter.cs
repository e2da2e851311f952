using Cairn.ClientProtocol;

namespace Cairn.Node.Hosting;

/// <summary>A transmission whose caller awaits its reply as a task (a <c>Submit</c> call, one request per call); the
/// awaiting code runs on the thread pool, not on the consensus thread that delivers.</summary>
public sealed class TaskReplyWaiter : ReplyWaiter
{
    private readonly TaskCompletionSource<ClientReply> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the reply.</summary>
    public Task<ClientReply> Reply => _reply.Task;

    public override void Deliver(ClientReply reply) => _reply.TrySetResult(reply);
}
