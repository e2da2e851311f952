using System.Diagnostics.Metrics;
using AwesomeAssertions;
using Cairn.Backup;
using Cairn.Node.Observability;

namespace Cairn.Node.Tests;

public sealed class MeterExportTests
{
    [Theory]
    [InlineData(MeterExport.MemoryPoolMeter, false)]
    [InlineData("Microsoft.AspNetCore.Server.Kestrel", true)]
    [InlineData("Microsoft.AspNetCore.Hosting", true)]
    [InlineData(BackupMetrics.MeterName, true)]
    public void Every_meter_but_the_memory_pools_is_exported(string meterName, bool exported)
    {
        using var meter = new Meter(meterName);
        var counter = meter.CreateCounter<long>("some_counter");

        MeterExport.Exports(counter).Should().Be(exported);
    }
}
