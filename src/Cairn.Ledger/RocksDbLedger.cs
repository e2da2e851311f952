using Cairn.Core;
using Cairn.Core.Encoding;
using RocksDbSharp;

namespace Cairn.Ledger;

/// <summary>
/// The replica's ledger in RocksDB: column families <c>blocks</c> (block id → canonical block), <c>state</c> (latest
/// key → value) and <c>metadata</c> (head, chain id, replica consensus metadata). Appends are single
/// <see cref="WriteBatch"/>es, so a block and everything it implies land together or not at all.
/// One writer at a time (appends are serialised); reads may come from any thread.
/// </summary>
public sealed partial class RocksDbLedger : ILedgerStore
{
    private static readonly string[] Families =
    [
        LedgerKeys.BlocksFamily,
        LedgerKeys.StateFamily,
        LedgerKeys.MetadataFamily,
    ];

    private readonly RocksDb _db;
    private readonly ColumnFamilyHandle _blocks;
    private readonly ColumnFamilyHandle _state;
    private readonly ColumnFamilyHandle _metadata;
    private readonly WriteOptions _writeOptions;

    /// <summary>
    /// The table files a read-only open keeps open. Bounded, so RocksDB opens at most 16 of them up front and the rest
    /// on first read; unbounded (its default), it opens and reads the index of every one before the open returns, and
    /// finalising a checkpoint (which opens it) grew with the database: 31-42 ms at 2 GiB, 12-20 ms bounded
    /// (docs/benchmarks-history.md, "Finalisation that does not grow with the database"). That every listed file is
    /// there is checked by <see cref="CheckTableFiles"/> instead.
    /// </summary>
    private const int ReadOnlyMaxOpenFiles = 512;

    private const int StateBloomBitsPerKey = 10;

    /// <summary>The state memtables' Bloom filter, as a fraction of the 64 MiB write buffer: 320 KiB, 2.7 million bits,
    /// about 9 bits a key (1 % false positives) for the keys of 100-byte values a memtable holds before the write-ahead
    /// log's limit flushes it, and more for larger values. A filter four times larger kept the largest replica's
    /// resident set about 10 MB higher under 16 KiB writes.</summary>
    private const double StateMemtableBloomRatio = 0.005;

    /// <summary>For a scan through a column family: its blocks are read once, so they do not take the block cache's
    /// room from what is read again (and a scan of a large checkpoint does not churn through the cache).</summary>
    private static readonly ReadOptions ScanReadOptions = new ReadOptions().SetFillCache(false);

    private static readonly WriteOptions SyncedWrites = new WriteOptions().SetSync(true);
    private readonly Lock _appendLock = new();
    private readonly bool _readOnly;
    private LedgerHead _head;
    private StateHash _stateHash = null!; // set when the ledger is loaded, in its scheme

    // Under _appendLock: the pairs of keys the state keeps rewriting, with their state-hash expansions.
    private readonly RewrittenPairs _rewritten = new();

    private RocksDbLedger(RocksDb db, string path, Durability durability, bool readOnly)
    {
        _db = db;
        Location = path;
        Durability = durability;
        _readOnly = readOnly;
        _blocks = db.GetColumnFamily(LedgerKeys.BlocksFamily);
        _state = db.GetColumnFamily(LedgerKeys.StateFamily);
        _metadata = db.GetColumnFamily(LedgerKeys.MetadataFamily);
        _writeOptions = new WriteOptions().SetSync(durability == Durability.Synced);
        ChainId = string.Empty;
    }

    public string Location { get; }

    public string ChainId { get; private set; }

    public StateHashScheme StateHashScheme { get; private set; }

    public Digest GenesisDigest { get; private set; }

    public Durability Durability { get; }

    public LedgerHead Head
    {
        get
        {
            lock (_appendLock)
            {
                return _head;
            }
        }
    }

    public Digest StateDigest
    {
        get
        {
            lock (_appendLock)
            {
                return _stateHash.Digest;
            }
        }
    }

    /// <summary>
    /// Opens the ledger at <paramref name="path"/>, creating it when the directory is missing or empty and
    /// <see cref="LedgerOptions.ChainId"/> is given.
    /// </summary>
    /// <exception cref="NotALedgerException">When the directory holds something that is not a Cairn ledger.</exception>
    /// <exception cref="LedgerException">When there is no ledger and no chain id to create one, the ledger belongs to
    /// another chain, or RocksDB cannot open it (locked by another process, unreadable).</exception>
    public static RocksDbLedger Open(string path, LedgerOptions options)
    {
        var walFlushBytes = WalFlushBytes(options.FlushStagger);
        path = System.IO.Path.GetFullPath(path);
        var exists = Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any();
        if (!exists && options.ChainId is null)
        {
            throw new LedgerException(path, "no ledger here (give a chain id to create one)");
        }

        if (exists)
        {
            CheckIsLedger(path);
        }
        else
        {
            CreateDirectory(path);
        }

        var dbOptions = new DbOptions()
            .SetCreateIfMissing(true)
            .SetCreateMissingColumnFamilies(true)
            .SetMaxTotalWalSize(walFlushBytes);
        var db = OpenRocksDb(path, () => RocksDb.Open(dbOptions, path, ColumnFamiliesOf()));
        var ledger = new RocksDbLedger(db, path, options.Durability, readOnly: false);
        try
        {
            ledger.Load(options.ChainId);
            return ledger;
        }
        catch
        {
            ledger.Dispose();
            throw;
        }
    }

    /// <summary>Opens a ledger read-only: a checkpoint, or a stopped replica's database. Nothing is ever written to
    /// it.</summary>
    /// <exception cref="NotALedgerException">When the directory is missing or holds something that is not a Cairn
    /// ledger.</exception>
    public static ILedgerReader OpenReadOnly(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(path))
        {
            throw new NotALedgerException(path, "no such directory");
        }

        CheckIsLedger(path);
        var db = OpenRocksDb(
            path,
            () =>
                RocksDb.OpenReadOnly(
                    new DbOptions().SetMaxOpenFiles(ReadOnlyMaxOpenFiles),
                    path,
                    ColumnFamiliesOf(),
                    errIfLogFileExists: false
                )
        );
        var ledger = new RocksDbLedger(db, path, Durability.Synced, readOnly: true);
        try
        {
            CheckTableFiles(db, path);
            ledger.Load(chainId: null);
            return ledger;
        }
        catch
        {
            ledger.Dispose();
            throw;
        }
    }

    public Block Append(BlockProposal proposal, IReadOnlyList<MetadataWrite>? metadata = null) =>
        AppendBlock(proposal, metadata, received: null);

    public Block Install(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return AppendBlock(new BlockProposal(block.SeqNum, block.Timestamp, block.Writes), null, block);
    }

    private Block AppendBlock(BlockProposal proposal, IReadOnlyList<MetadataWrite>? metadata, Block? received)
    {
        ThrowIfReadOnly();
        if (metadata is not null)
        {
            LedgerKeys.CheckCallerMetadata(metadata);
        }

        lock (_appendLock)
        {
            LedgerKeys.CheckProposal(_head, proposal);
            StateHash stateHash;
            Block block;
            LedgerHead head;
            try
            {
                stateHash = _stateHash.Apply(proposal.Writes, key => _db.Get(key, _state), _rewritten);
                block = Block.Create(_head.LastBlockId.Next, _head.LastDigest, proposal, stateHash.Digest);
                LedgerKeys.CheckInstalled(Location, block, received);
                head = new LedgerHead(block.Id, block.Digest, block.SeqNum);
                using var batch = new WriteBatch();
                batch.Put(LedgerKeys.BlockKey(block.Id), block.EncodedBytes, _blocks);
                foreach (var write in proposal.Writes)
                {
                    if (write.Value is { } value)
                    {
                        batch.Put(write.Key, value, _state);
                    }
                    else
                    {
                        batch.Delete(write.Key, _state);
                    }
                }

                AddMetadata(batch, metadata ?? []);
                batch.Put(LedgerKeys.MetadataKey(LedgerKeys.StateHashKey), stateHash.ToBytes(), _metadata);
                batch.Put(LedgerKeys.MetadataKey(LedgerKeys.HeadKey), LedgerKeys.EncodeHead(head), _metadata);
                _db.Write(batch, _writeOptions);
            }
            catch
            {
                _rewritten.Discard(); // nothing of this block is in the state
                throw;
            }

            _rewritten.Commit();
            _head = head;
            _stateHash = stateHash;
            return block;
        }
    }

    public void WriteMetadata(IReadOnlyList<MetadataWrite> metadata, bool sync = false)
    {
        ThrowIfReadOnly();
        LedgerKeys.CheckCallerMetadata(metadata);
        using var batch = new WriteBatch();
        AddMetadata(batch, metadata);
        // The write-ahead log is one sequential file: a synced write fsyncs every write before it.
        _db.Write(batch, sync ? SyncedWrites : _writeOptions);
    }

    public void Sync()
    {
        ThrowIfReadOnly();
        // A synced write of the (unchanged) head, for the same reason as in WriteMetadata.
        lock (_appendLock)
        {
            using var batch = new WriteBatch();
            batch.Put(LedgerKeys.MetadataKey(LedgerKeys.HeadKey), LedgerKeys.EncodeHead(_head), _metadata);
            _db.Write(batch, SyncedWrites);
        }
    }

    public Block? GetBlock(BlockId id)
    {
        var bytes = _db.Get(LedgerKeys.BlockKey(id), _blocks);
        return bytes is null ? null : DecodeBlock(id, bytes);
    }

    public IEnumerable<Block> ReadBlocks(BlockId from) =>
        ReadDecoded(from, bytes => Block.Decode(bytes.ToArray()), block => block.Id);

    public IEnumerable<BlockLink> ReadBlockLinks(BlockId from) => ReadDecoded(from, Block.DecodeLink, link => link.Id);

    /// <summary>Each stored block from <paramref name="from"/> on, decoded straight from RocksDB's buffer: a decoder
    /// that keeps nothing of it (<see cref="Block.DecodeLink"/>) allocates nothing per block.</summary>
    private IEnumerable<T> ReadDecoded<T>(BlockId from, BlockDecoder<T> decode, Func<T, BlockId> idOf)
    {
        using var iterator = _db.NewIterator(_blocks, ScanReadOptions);
        for (iterator.Seek(LedgerKeys.BlockKey(from)); iterator.Valid(); iterator.Next())
        {
            var key = iterator.Key();
            var id =
                key.Length == 8
                    ? new BlockId(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(key))
                    : default;
            if (key.Length != 8)
            {
                throw new LedgerCorruptException(
                    Location,
                    $"a block key of {key.Length} bytes (block keys are 8 bytes)"
                );
            }

            yield return Decoded(id, iterator.GetValueSpan(), decode, idOf);
        }

        ThrowIfStopped(iterator);
    }

    public byte[]? GetValue(ReadOnlySpan<byte> key) => _db.Get(key.ToArray(), _state);

    public IEnumerable<KeyValuePair<byte[], byte[]>> ReadState(byte[]? prefix = null)
    {
        using var iterator = _db.NewIterator(_state, ScanReadOptions);
        for (
            iterator.Seek(prefix ?? []);
            iterator.Valid() && (prefix is null || iterator.Key().AsSpan().StartsWith(prefix));
            iterator.Next()
        )
        {
            yield return new KeyValuePair<byte[], byte[]>(iterator.Key(), iterator.Value());
        }

        ThrowIfStopped(iterator);
    }

    public long EstimateStateKeyCount() =>
        long.TryParse(
            _db.GetProperty("rocksdb.estimate-num-keys", _state),
            System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture,
            out var count
        )
            ? count
            : 0;

    public byte[]? GetMetadata(string key) => _db.Get(LedgerKeys.MetadataKey(key), _metadata);

    public IEnumerable<KeyValuePair<string, byte[]>> ReadMetadata(string prefix)
    {
        var start = LedgerKeys.MetadataKey(prefix);
        using var iterator = _db.NewIterator(_metadata);
        for (iterator.Seek(start); iterator.Valid() && iterator.Key().AsSpan().StartsWith(start); iterator.Next())
        {
            yield return new KeyValuePair<string, byte[]>(
                System.Text.Encoding.UTF8.GetString(iterator.Key()),
                iterator.Value()
            );
        }

        ThrowIfStopped(iterator);
    }

    public void Dispose() => _db.Dispose();

    private static ColumnFamilies ColumnFamiliesOf()
    {
        var families = new ColumnFamilies();
        foreach (var name in Families)
        {
            families.Add(name, name == LedgerKeys.StateFamily ? StateFamilyOptions() : new ColumnFamilyOptions());
        }

        return families;
    }

    /// <summary>
    /// The state's table files carry a Bloom filter (10 bits a key, about 1 % false positives): every write looks up
    /// the key's current value for the state hash, and a new key is found in no file, which without a filter costs a
    /// search of each file's index and a data block (a tenth of a replica's CPU under writes of new keys;
    /// docs/benchmarks-history.md, "A Bloom filter for the state").
    /// <para>The memtables carry one too (whole keys, <see cref="StateMemtableBloomRatio"/> of the write buffer): the
    /// same lookup of a key not written since the last flush otherwise walks the memtable's skip list, half of that
    /// lookup's CPU (docs/benchmarks-history.md, "A Bloom filter in the state's memtables").</para>
    /// </summary>
    private static ColumnFamilyOptions StateFamilyOptions()
    {
        var options = new ColumnFamilyOptions()
            .SetBlockBasedTableFactory(
                new BlockBasedTableOptions().SetFilterPolicy(BloomFilterPolicy.Create(StateBloomBitsPerKey))
            )
            .SetMemtablePrefixBloomSizeRatio(StateMemtableBloomRatio);
        Native.Instance.rocksdb_options_set_memtable_whole_key_filtering(options.Handle, 1);
        return options;
    }

    /// <summary>Refuses, before RocksDB touches anything, a directory that is not a ledger.</summary>
    private static void CheckIsLedger(string path)
    {
        if (!File.Exists(System.IO.Path.Combine(path, "CURRENT")))
        {
            throw new NotALedgerException(path, "not a Cairn ledger (no RocksDB database here)");
        }

        string[] names;
        try
        {
            names = [.. RocksDb.ListColumnFamilies(new DbOptions(), path)];
        }
        catch (RocksDbException e)
        {
            throw new NotALedgerException(path, $"not a readable RocksDB database ({OneLine(e.Message)})");
        }

        var missing = Families.Where(f => !names.Contains(f)).ToList();
        if (missing.Count > 0)
        {
            throw new NotALedgerException(
                path,
                $"a RocksDB database but not a Cairn ledger (no column families {string.Join(", ", missing)})"
            );
        }
    }

    private static void CreateDirectory(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LedgerException(path, $"cannot create the ledger directory ({e.Message})");
        }
    }

    private static RocksDb OpenRocksDb(string path, Func<RocksDb> open)
    {
        try
        {
            return open();
        }
        catch (RocksDbException e)
        {
            throw new LedgerException(path, $"RocksDB cannot open the ledger ({OneLine(e.Message)})");
        }
    }

    /// <summary>
    /// Every table file the MANIFEST lists is there with its recorded size: what an unbounded open checks by opening
    /// them all, done here with one stat each, so a checkpoint missing a file is refused when it is opened and not at
    /// the first read that needs the file.
    /// </summary>
    private static void CheckTableFiles(RocksDb db, string path)
    {
        foreach (var file in db.GetLiveFilesMetadata())
        {
            var name = file.FileMetadata.FileName.TrimStart('/');
            var info = new FileInfo(System.IO.Path.Combine(path, name));
            if (!info.Exists)
            {
                throw new LedgerException(path, $"its MANIFEST lists the table file {name}, which is missing");
            }

            if ((ulong)info.Length != file.FileMetadata.FileSize)
            {
                throw new LedgerException(
                    path,
                    $"its table file {name} has {info.Length} bytes, its MANIFEST records {file.FileMetadata.FileSize}"
                );
            }
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    /// <summary>Reads the format marker, chain id and head; writes them on a new ledger (one batch, so a crash
    /// mid-creation leaves a database with empty families, which the next open finishes creating).</summary>
    private void LoadOrInitialise(string? chainId)
    {
        var format = GetMetadata(LedgerKeys.FormatKey);
        if (format is null)
        {
            if (_readOnly || chainId is null || !IsEmpty())
            {
                throw new NotALedgerException(Location, "a RocksDB database without a Cairn ledger format marker");
            }

            var created = new LedgerHead(BlockId.Genesis, LedgerDigests.Genesis(chainId), SeqNum.Zero);
            using var batch = new WriteBatch();
            batch.Put(
                LedgerKeys.MetadataKey(LedgerKeys.FormatKey),
                System.Text.Encoding.UTF8.GetBytes(LedgerKeys.FormatValue),
                _metadata
            );
            batch.Put(
                LedgerKeys.MetadataKey(LedgerKeys.ChainIdKey),
                System.Text.Encoding.UTF8.GetBytes(chainId),
                _metadata
            );
            batch.Put(LedgerKeys.MetadataKey(LedgerKeys.HeadKey), LedgerKeys.EncodeHead(created), _metadata);
            _db.Write(batch, SyncedWrites);
            format = GetMetadata(LedgerKeys.FormatKey);
        }

        var formatText = System.Text.Encoding.UTF8.GetString(format!);
        StateHashScheme =
            LedgerKeys.SchemeOf(formatText)
            ?? throw new NotALedgerException(
                Location,
                $"ledger format '{formatText}' is not one this build reads ({LedgerKeys.ReadableFormats})"
            );

        var storedChain = GetMetadata(LedgerKeys.ChainIdKey) is { } chainBytes
            ? System.Text.Encoding.UTF8.GetString(chainBytes)
            : throw new LedgerCorruptException(Location, "the ledger has no chain id");
        if (chainId is not null && chainId != storedChain)
        {
            throw new LedgerException(Location, $"the ledger belongs to chain '{storedChain}', not '{chainId}'");
        }

        ChainId = storedChain;
        GenesisDigest = LedgerDigests.Genesis(storedChain);
        var headBytes =
            GetMetadata(LedgerKeys.HeadKey)
            ?? throw new LedgerCorruptException(Location, "the ledger has no head record");
        try
        {
            _head = LedgerKeys.DecodeHead(headBytes);
        }
        catch (CanonicalEncodingException e)
        {
            throw new LedgerCorruptException(Location, $"the head record does not decode ({e.Message})");
        }

        _stateHash = LoadStateHash();
    }

    /// <summary>Reads the maintained state hash and checks it against the state digest the head block records (O(1):
    /// whether the state itself matches is for <see cref="StateHash.Of"/> to say).</summary>
    private StateHash LoadStateHash()
    {
        var stored = GetMetadata(LedgerKeys.StateHashKey);
        StateHash hash;
        try
        {
            hash = stored is null ? StateHash.Empty(StateHashScheme) : StateHash.FromBytes(StateHashScheme, stored);
        }
        catch (CanonicalEncodingException e)
        {
            throw new LedgerCorruptException(Location, $"the state hash record does not decode ({e.Message})");
        }

        var recorded = LedgerDigests.RecordedState(this);
        if (hash.Digest != recorded)
        {
            throw new LedgerCorruptException(
                Location,
                $"the maintained state digest {hash.Digest.ToHex()[..16]}… differs from the "
                    + $"{recorded.ToHex()[..16]}… block {_head.LastBlockId} records"
            );
        }

        return hash;
    }

    private bool IsEmpty()
    {
        foreach (var family in new[] { _blocks, _state, _metadata })
        {
            using var iterator = _db.NewIterator(family);
            iterator.SeekToFirst();
            if (iterator.Valid())
            {
                return false;
            }

            ThrowIfStopped(iterator);
        }

        return true;
    }

    /// <summary>A RocksDB iterator that meets a block it cannot read (a checksum mismatch, an I/O error) only stops
    /// being valid: without this check, a scan would end there as if the data did.</summary>
    /// <exception cref="LedgerCorruptException">Naming what RocksDB could not read.</exception>
    /// <summary>Reads the head and chain id (or initialises a new ledger with <paramref name="chainId"/>); a table
    /// block RocksDB cannot read fails as a corrupt ledger naming the file, like a scan that meets one
    /// (<see cref="ThrowIfStopped"/>), not as RocksDB's own exception.</summary>
    private void Load(string? chainId)
    {
        try
        {
            LoadOrInitialise(chainId);
        }
        catch (RocksDbException e)
        {
            throw Unreadable(e);
        }
    }

    private void ThrowIfStopped(Iterator iterator)
    {
        try
        {
            Native.Instance.rocksdb_iter_get_error(iterator.Handle);
        }
        catch (RocksDbException e)
        {
            throw Unreadable(e);
        }
    }

    /// <summary>A table block RocksDB could not read (its error names the file and why), as a corrupt ledger.</summary>
    private LedgerCorruptException Unreadable(RocksDbException e) =>
        new(Location, $"RocksDB could not read on: {OneLine(e.Message)}");

    private void AddMetadata(WriteBatch batch, IReadOnlyList<MetadataWrite> metadata)
    {
        foreach (var write in metadata)
        {
            if (write.Value is { } value)
            {
                batch.Put(LedgerKeys.MetadataKey(write.Key), value, _metadata);
            }
            else
            {
                batch.Delete(LedgerKeys.MetadataKey(write.Key), _metadata);
            }
        }
    }

    private Block DecodeBlock(BlockId id, byte[] bytes) => Decoded(id, bytes, _ => Block.Decode(bytes), b => b.Id);

    /// <summary><paramref name="decode"/> of the bytes stored for block <paramref name="id"/>, which must decode and
    /// be that block.</summary>
    private T Decoded<T>(BlockId id, ReadOnlySpan<byte> bytes, BlockDecoder<T> decode, Func<T, BlockId> idOf)
    {
        T decoded;
        try
        {
            decoded = decode(bytes);
        }
        catch (CanonicalEncodingException e)
        {
            throw new LedgerCorruptException(Location, $"block {id} does not decode ({e.Message})");
        }

        return idOf(decoded) == id
            ? decoded
            : throw new LedgerCorruptException(Location, $"the entry for block {id} holds block {idOf(decoded)}");
    }

    private delegate T BlockDecoder<out T>(ReadOnlySpan<byte> bytes);

    private void ThrowIfReadOnly()
    {
        if (_readOnly)
        {
            throw new InvalidOperationException($"{Location} is open read-only");
        }
    }
}
