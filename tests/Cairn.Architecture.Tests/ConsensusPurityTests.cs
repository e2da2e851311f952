using AwesomeAssertions;

namespace Cairn.Architecture.Tests;

public sealed class ConsensusPurityTests
{
    [Fact]
    public void Planted_clock_randomness_thread_task_and_file_uses_are_each_found_on_their_line()
    {
        const string planted = """
            namespace Cairn.Consensus;
            public sealed class Bad
            {
                private readonly long _at = DateTime.UtcNow.Ticks;
                private readonly int _roll = new Random(1).Next();
                public async Task RunAsync() => await Task.Delay(1);
                public void Spin() => new Thread(() => { }).Start();
                public string Read() => System.IO.File.ReadAllText("x");
                public long Ticks() => Environment.TickCount64;
            }
            """;

        var violations = ConsensusPurityRule.Violations("Bad.cs", planted);

        violations
            .Should()
            .Contain([
                "Bad.cs:4: a clock ('DateTime.UtcNow')",
                "Bad.cs:5: randomness ('Random')",
                "Bad.cs:6: tasks ('Task')",
                "Bad.cs:6: tasks ('async')",
                "Bad.cs:6: tasks ('await')",
                "Bad.cs:7: threads ('Thread')",
                "Bad.cs:8: file access ('File')",
                "Bad.cs:8: file access ('System.IO')",
                "Bad.cs:9: a clock ('Environment.TickCount64')",
            ]);
    }

    [Fact]
    public void Words_in_comments_and_strings_and_longer_identifiers_are_not_uses()
    {
        const string innocent = """"
            // The host, not this code, owns the Task and the Thread; DateTime.UtcNow never appears here.
            /* A Random seed comes from the simulator. */
            /// <summary>Never awaits: no async.</summary>
            public sealed class Fine
            {
                private const string Note = "File access and await live in the host";
                private const char Quote = '"';
                private readonly string _raw = $$"""Directory {{1}} Timer""";
                public int TaskCount { get; }
                public ulong ViewChangeTimerTicks { get; }
            }
            """";

        ConsensusPurityRule.Violations("Fine.cs", innocent).Should().BeEmpty();
    }

    [Fact]
    public void The_consensus_source_uses_no_clock_randomness_threads_tasks_or_files()
    {
        var files = Repository.CSharpFiles("src/Cairn.Consensus");

        files.Should().Contain("src/Cairn.Consensus/Replica.cs");
        files.SelectMany(path => ConsensusPurityRule.Violations(path, Repository.Read(path))).Should().BeEmpty();
    }
}
