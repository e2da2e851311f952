using Cairn.Consensus;
using Microsoft.Extensions.Logging;

namespace Cairn.Node.Hosting;

/// <summary>The replica host's log messages, with stable event ids for alerting and grepping.</summary>
internal static partial class NodeLog
{
    [LoggerMessage(
        EventId = 1000,
        Level = LogLevel.Information,
        Message = "replica {Replica} started: chain {ChainId}, head block {Block}, consensus generation {Generation}, "
            + "listening on {Host}:{Port}"
    )]
    public static partial void Started(
        ILogger logger,
        int replica,
        string chainId,
        ulong block,
        ConsensusGeneration generation,
        string host,
        int port
    );

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "replica stopping")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Critical, Message = "replica stopping on an error: {Reason}")]
    public static partial void Failed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "connected to replica {Peer}")]
    public static partial void PeerConnected(ILogger logger, int peer);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Debug, Message = "replica {Peer} unreachable: {Reason}")]
    public static partial void PeerUnreachable(ILogger logger, int peer, string reason);

    [LoggerMessage(
        EventId = 1012,
        Level = LogLevel.Warning,
        Message = "lost replica {Peer}: {Reason}; reconnecting with backoff"
    )]
    public static partial void PeerLost(ILogger logger, int peer, string reason);

    [LoggerMessage(
        EventId = 1013,
        Level = LogLevel.Error,
        Message = "not sent to replica {Peer}: a {Bytes}-byte message is over the {Limit}-byte message bound"
    )]
    public static partial void MessageOverBound(ILogger logger, int peer, int bytes, long limit);

    [LoggerMessage(
        EventId = 1014,
        Level = LogLevel.Warning,
        Message = "closed a replica connection from {Remote}: it presented no replica certificate"
    )]
    public static partial void PeerLinkUnauthenticated(ILogger logger, string? remote);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Warning, Message = "closed replica {Peer}'s connection: {Reason}")]
    public static partial void PeerLinkRefused(ILogger logger, int peer, string reason);

    [LoggerMessage(
        EventId = 1020,
        Level = LogLevel.Information,
        Message = "entered view {View}, primary is replica {Primary}"
    )]
    public static partial void ViewEntered(ILogger logger, ulong view, int primary);

    [LoggerMessage(
        EventId = 1025,
        Level = LogLevel.Information,
        Message = "complained about view {View} (primary replica {Primary}): {Reason} for {TimeoutMs} ms; the view "
            + "changes once f + 1 replicas complained"
    )]
    public static partial void ViewComplained(ILogger logger, ulong view, int primary, string reason, double timeoutMs);

    [LoggerMessage(
        EventId = 1021,
        Level = LogLevel.Information,
        Message = "stable checkpoint at seq {Seq}, state digest {Digest}"
    )]
    public static partial void StableCheckpoint(ILogger logger, ulong seq, Cairn.Core.Digest digest);

    [LoggerMessage(
        EventId = 1022,
        Level = LogLevel.Warning,
        Message = "behind the stable checkpoint: needs state up to seq {Target}, has {Have}"
    )]
    public static partial void StateTransferNeeded(ILogger logger, ulong target, ulong have);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Warning, Message = "wedge ordered: stopping at seq {Seq}")]
    public static partial void WedgeOrdered(ILogger logger, ulong seq);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Warning, Message = "unwedged: ordering resumes in epoch {Epoch}")]
    public static partial void Unwedged(ILogger logger, ulong epoch);

    [LoggerMessage(
        EventId = 1023,
        Level = LogLevel.Information,
        Message = "state transfer installed {Blocks} blocks, now at seq {Seq}"
    )]
    public static partial void StateTransferred(ILogger logger, int blocks, ulong seq);

    [LoggerMessage(
        EventId = 1024,
        Level = LogLevel.Warning,
        Message = "state transfer to seq {Target} failed: no peer served blocks matching the certified digest; will "
            + "retry"
    )]
    public static partial void StateTransferFailed(ILogger logger, ulong target);

    [LoggerMessage(
        EventId = 1050,
        Level = LogLevel.Error,
        Message = "state transfer to seq {Target} refused a block: {Problem}; the peer that sent it is faulty, or this "
            + "replica's state has diverged from the certified chain (restore it from a checkpoint if this repeats)"
    )]
    public static partial void StateTransferRefused(ILogger logger, ulong target, string problem);

    [LoggerMessage(
        EventId = 1040,
        Level = LogLevel.Information,
        Message = "restored database: the old one ({Databases}) is deleted once this replica has caught up to its "
            + "peers' stable checkpoint at seq {Seq} or later"
    )]
    public static partial void OldDatabasePending(ILogger logger, string databases, ulong seq);

    [LoggerMessage(
        EventId = 1041,
        Level = LogLevel.Information,
        Message = "caught up to its peers' stable checkpoint at seq {Seq}: deleted the database set aside by the "
            + "restore ({Databases})"
    )]
    public static partial void OldDatabaseDiscarded(ILogger logger, ulong seq, string databases);

    [LoggerMessage(
        EventId = 1042,
        Level = LogLevel.Error,
        Message = "could not delete the database set aside by the restore ({Databases}): {Problem}; it is retried at "
            + "the next start"
    )]
    public static partial void OldDatabaseDiscardFailed(ILogger logger, string databases, string problem);
}
