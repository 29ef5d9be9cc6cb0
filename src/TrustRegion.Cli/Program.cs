using System.Runtime.InteropServices;
using TrustRegion.Cli;
using TrustRegion.Envs;
using TrustRegion.MuJoCo.Envs;

// Ctrl-C (and SIGTERM) cancel the running command, which checkpoints and exits with 130; a second Ctrl-C ends the process at once.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = !cancellation.IsCancellationRequested;
    cancellation.Cancel();
};
using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});
EnvRegistry registry = MuJoCoRegistration.Register(EnvRegistry.CreateWithBuiltIns());
return TrpoCli.Run(args, Console.Out, Console.Error, new TrainingBackend(registry), cancellation: cancellation.Token);
