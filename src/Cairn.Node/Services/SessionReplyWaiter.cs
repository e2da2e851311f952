using Cairn.ClientProtocol;
using Cairn.Node.Hosting;
using Cairn.Protocol.Grpc;

namespace Cairn.Node.Services;

/// <summary>
/// One request of a <see cref="ClientSession"/> waiting for its reply: the consensus thread queues the answer straight
/// for the session's writer. It waits until the reply comes, the session's refusal replaces it, or its generation of
/// the session ends (<see cref="Start"/>), whichever is first; only the first counts.
/// </summary>
internal sealed class SessionReplyWaiter(ClientSession session, ClientRequest request) : ReplyWaiter
{
    private int _finished;
    private CancellationTokenRegistration _generation;

    /// <summary>The request waited for.</summary>
    public ClientRequest Request => request;

    /// <summary>Gives up when <paramref name="generation"/> fires; false when it has fired already (the waiter gave up
    /// at once).</summary>
    public bool Start(CancellationToken generation)
    {
        _generation = generation.UnsafeRegister(static waiter => ((SessionReplyWaiter)waiter!).GiveUp(), this);
        return Volatile.Read(ref _finished) == 0;
    }

    public override void Deliver(ClientReply reply)
    {
        if (Finish())
        {
            session.Answered(ClientRequestHandler.Answer(request, reply));
        }
    }

    /// <summary>Answers with <paramref name="refusal"/> instead of a reply.</summary>
    public void Refuse(SessionReply refusal)
    {
        if (Finish())
        {
            session.Answered(refusal);
        }
    }

    private void GiveUp()
    {
        if (Interlocked.Exchange(ref _finished, 1) == 0)
        {
            session.GaveUp(this);
        }
    }

    private bool Finish()
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return false;
        }

        // Not Dispose: that would wait for a GiveUp running on the thread that fires the generation.
        _generation.Unregister();
        return true;
    }
}
