using System.Buffers;
using System.Buffers.Binary;
using AwesomeAssertions;
using Cairn.Protocol.Transport;

namespace Cairn.Node.Tests;

/// <summary>A connection's bytes cut into the messages written into it, however the reads split them.</summary>
public sealed class FrameReaderTests
{
    private static readonly byte[][] Messages =
    [
        [1, 2, 3],
        [],
        [.. Enumerable.Range(0, 200_000).Select(i => (byte)i)], // over InBufferBytes: copied as it arrives
        [9],
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(1_000_000)]
    public void Every_message_comes_out_whole_and_in_order_whatever_the_reads(int readBytes)
    {
        var stream = Messages.SelectMany(m => Frames.Encode(m)).ToArray();
        var reader = new FrameReader(maxMessageBytes: 1_000_000);
        var received = new List<byte[]>();
        var kept = ReadOnlySequence<byte>.Empty;

        for (var offset = 0; offset < stream.Length; offset += readBytes)
        {
            var read = stream.AsMemory(offset, Math.Min(readBytes, stream.Length - offset));
            var buffer = Append(kept, read);
            kept = reader.Take(buffer, static (message, into) => into.Add(message.ToArray()), received);
            kept.Length.Should().BeLessThanOrEqualTo(FrameReader.InBufferBytes + Frames.HeaderBytes);
        }

        kept.Length.Should().Be(0);
        received.Should().HaveCount(Messages.Length);
        for (var i = 0; i < Messages.Length; i++)
        {
            received[i].Should().Equal(Messages[i]);
        }
    }

    [Fact]
    public void A_length_over_the_bound_is_refused_before_its_bytes_arrive()
    {
        var header = new byte[Frames.HeaderBytes];
        BinaryPrimitives.WriteInt32LittleEndian(header, 1001);
        var reader = new FrameReader(maxMessageBytes: 1000);

        FluentActions
            .Invoking(() => reader.Take(new ReadOnlySequence<byte>(header), static (_, _) => { }, 0))
            .Should()
            .Throw<InvalidDataException>()
            .WithMessage("a 1001-byte message is over the 1000-byte bound");
        BinaryPrimitives.WriteInt32LittleEndian(header, -1);
        FluentActions
            .Invoking(() => reader.Take(new ReadOnlySequence<byte>(header), static (_, _) => { }, 0))
            .Should()
            .Throw<InvalidDataException>();
    }

    /// <summary>What a pipe would hold: the bytes kept from the last read, then the new ones, as separate
    /// segments.</summary>
    private static ReadOnlySequence<byte> Append(ReadOnlySequence<byte> kept, ReadOnlyMemory<byte> read)
    {
        if (kept.IsEmpty)
        {
            return new ReadOnlySequence<byte>(read);
        }

        var first = new Segment(kept.ToArray(), 0);
        var last = first.Then(read);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Then(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
