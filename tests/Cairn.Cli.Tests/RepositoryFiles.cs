namespace Cairn.Cli.Tests;

/// <summary>Files of the repository the tests run from (found by walking up to <c>Cairn.slnx</c>).</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cairn.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Cairn.slnx above {AppContext.BaseDirectory}");
    }
}
