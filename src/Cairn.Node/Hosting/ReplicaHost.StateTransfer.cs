using Cairn.Consensus;
using Cairn.Ledger;

namespace Cairn.Node.Hosting;

public sealed partial class ReplicaHost
{
    private FetchState? _fetching;

    /// <summary>Fires when <see cref="RunAsync"/> stops: a transfer waiting for the consensus thread gives up with
    /// it.</summary>
    private CancellationToken _running;

    /// <summary>Starts fetching the state consensus asked for, unless a fetch for that target or beyond is running.
    /// Each verified segment is installed on the consensus thread; after the last, consensus hears <see
    /// cref="StateTransferCompleted"/>.</summary>
    private void StartStateTransfer(FetchState fetch)
    {
        if (_transfer is null || (_fetching is { } running && running.TargetSeq >= fetch.TargetSeq))
        {
            return;
        }

        _fetching = fetch;
        var head = _ledger.Head;
        NodeLog.StateTransferNeeded(_logger, fetch.TargetSeq.Value, head.LastSeqNum.Value);
        // The completion runs however the transfer ends (a fault included), so _fetching is always cleared and the
        // replica's next FetchState, which starts with another signer, is not ignored for ever.
        _ = _transfer
            .RunAsync(
                head,
                fetch.TargetSeq,
                fetch.CertifiedDigest,
                fetch.Peers,
                (blocks, last) => InstallAsync(fetch, blocks, last),
                _running
            )
            .ContinueWith(
                transfer =>
                    Enqueue(() =>
                    {
                        if (ReferenceEquals(_fetching, fetch))
                        {
                            _fetching = null;
                        }

                        if (!transfer.IsCompletedSuccessfully || !transfer.Result)
                        {
                            _engine.StateTransferEnded(fetch);
                        }
                    }),
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default
            );
    }

    /// <summary>Installs a verified segment on the consensus thread (<see cref="ReplicaEngine.InstallFetchedBlocks"/>);
    /// a storage error there stops the replica and this transfer with it.</summary>
    private Task<bool> InstallAsync(FetchState fetch, IReadOnlyList<Block> blocks, bool last)
    {
        var installed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(() =>
        {
            try
            {
                installed.SetResult(_engine.InstallFetchedBlocks(fetch, blocks, last));
            }
            catch (Exception e)
            {
                installed.SetException(e);
                throw;
            }
        });
        return installed.Task.WaitAsync(_running);
    }
}
