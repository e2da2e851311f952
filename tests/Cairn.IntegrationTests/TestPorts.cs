using System.Globalization;

namespace Cairn.IntegrationTests;

/// <summary>The loopback ports a test uses. Each test names its own base in 7500-7590, 7700-7790 or 7900-7990 (steps of
/// 10, so no replica port of one test is a metrics port of another; Cairn.Cli.Tests uses 7790);
/// <c>CAIRN_TEST_PORT_OFFSET</c> shifts them all, so two checkouts can run the suite on one machine at the same
/// time.</summary>
internal static class TestPorts
{
    private static readonly int Offset = int.TryParse(
        Environment.GetEnvironmentVariable("CAIRN_TEST_PORT_OFFSET"),
        NumberStyles.None,
        CultureInfo.InvariantCulture,
        out var offset
    )
        ? offset
        : 0;

    /// <summary>The test's base port, shifted by the offset.</summary>
    public static int At(int basePort) => basePort + Offset;

    /// <summary>The same, as a command-line argument.</summary>
    public static string Arg(int basePort) => At(basePort).ToString(CultureInfo.InvariantCulture);
}
