namespace Cairn.Architecture.Tests;

/// <summary>One comment of a C# file: the line it starts on (1-based) and its text without the markers.</summary>
public sealed record SourceComment(int Line, string Text);
