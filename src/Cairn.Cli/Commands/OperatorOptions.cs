using System.CommandLine;
using Cairn.Client;
using Cairn.Core.Crypto;
using Cairn.Node.LocalCluster;

namespace Cairn.Cli.Commands;

/// <summary>The options every <c>op</c> command takes: where the operator config and key are, and
/// <c>--json</c>.</summary>
internal sealed class OperatorOptions
{
    public Option<DirectoryInfo?> Cluster { get; } =
        new("--cluster")
        {
            Description = "The cluster directory (its operator.config and operator_priv.pem are used).",
        };

    public Option<FileInfo?> Config { get; } =
        new("--config") { Description = "An operator.config to use instead of the cluster directory's." };

    public Option<FileInfo?> Key { get; } =
        new("--key") { Description = "The operator private key (PEM) to sign with instead of the config's." };

    public Option<FileInfo?> PassphraseFile { get; } =
        new("--passphrase-file")
        {
            Description =
                "A file whose first line is the passphrase of an encrypted operator key (default: the "
                + "CAIRN_KEY_PASSPHRASE environment variable).",
        };

    public Option<bool> Json { get; } = CommonOptions.JsonOutput();

    public void AddTo(Command command)
    {
        command.Options.Add(Cluster);
        command.Options.Add(Config);
        command.Options.Add(Key);
        command.Options.Add(PassphraseFile);
        command.Options.Add(Json);
        command.Validators.Add(result =>
        {
            if (result.GetValue(Cluster) is null && result.GetValue(Config) is null)
            {
                result.AddError("give --cluster DIR or --config operator.config");
            }
        });
    }

    /// <summary>The operator config named by the options, with <c>--key</c> and <c>--passphrase-file</c>
    /// applied.</summary>
    public ClientConfig Load(ParseResult parse)
    {
        var path =
            parse.GetValue(Config)?.FullName ?? new ClusterLayout(parse.GetValue(Cluster)!.FullName).OperatorConfig;
        var config = ClientConfig.Load(path);
        if (parse.GetValue(Key) is { } key)
        {
            config = config with { PrivateKeyPath = key.FullName };
        }

        return parse.GetValue(PassphraseFile) is { } passphraseFile
            ? config with
            {
                Passphrase = KeyPassphrase.FromFile(passphraseFile.FullName),
            }
            : config;
    }
}
