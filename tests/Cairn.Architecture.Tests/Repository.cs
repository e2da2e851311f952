namespace Cairn.Architecture.Tests;

/// <summary>The repository these tests run in: found by walking up from the test binary to <c>Cairn.slnx</c>.</summary>
public static class Repository
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository's root directory.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>Every file of the repository as a '/'-separated path from the root, except .git, bin, obj.</summary>
    public static IReadOnlyList<string> Files() =>
        [
            .. Directory
                .EnumerateFiles(Root, "*", SearchOption.AllDirectories)
                .Select(Relative)
                .Where(path => !path.Split('/').Any(part => part is ".git" or "bin" or "obj"))
                .Order(StringComparer.Ordinal),
        ];

    /// <summary>The C# files under the given top-level folders (e.g. "src"), relative to the root.</summary>
    public static IReadOnlyList<string> CSharpFiles(params string[] folders) =>
        [
            .. Files()
                .Where(path =>
                    path.EndsWith(".cs", StringComparison.Ordinal)
                    && folders.Any(folder => path.StartsWith(folder + "/", StringComparison.Ordinal))
                ),
        ];

    /// <summary>The text of a file given relative to the root.</summary>
    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    private static string Relative(string fullPath) => Path.GetRelativePath(Root, fullPath).Replace('\\', '/');

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cairn.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Cairn.slnx in {AppContext.BaseDirectory} or any folder above it");
    }
}
