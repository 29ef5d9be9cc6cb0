using TrustRegion.Cli;

return TrpoCli.Run(args, Console.Out, Console.Error, new PendingBackend());
