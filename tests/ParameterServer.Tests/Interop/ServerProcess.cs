using PsTraining.TestSupport;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PsTraining.ParameterServer.Tests.Interop;

/// <summary>The real parameter-server executable as a child process on a free port.</summary>
internal sealed partial class ServerProcess : IDisposable
{
    private ServerProcess(Process process, int port, List<string> output)
    {
        Process = process;
        Port = port;
        Output = output;
    }

    public Process Process { get; }

    public int Port { get; }

    /// <summary>Everything the server printed so far.</summary>
    public List<string> Output { get; }

    public static Task<ServerProcess> StartAsync(params string[] args) => StartAsync(new Dictionary<string, string>(), args);

    /// <summary>Starts the server with <paramref name="environment"/> added to this process's variables.</summary>
    public static async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PsTraining.ParameterServer.dll"));
        // LeNet-5's initial weights unless the test gives others.
        string[] weights = args.Contains("--initial-weights") ? [] : TestWeights.Args("lenet5");
        foreach (var a in (string[])["--port", "0", "--metrics-port", "0", "--status-interval", "1", .. weights, .. args])
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        var output = new List<string>();
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException("the server exited before listening:\n" + string.Join('\n', output)));
                return;
            }

            lock (output)
            {
                output.Add(e.Data);
            }

            var marker = e.Data.IndexOf("listening on http://127.0.0.1:", StringComparison.Ordinal);
            if (marker >= 0)
            {
                var rest = e.Data[(marker + "listening on http://127.0.0.1:".Length)..];
                listening.TrySetResult(int.Parse(rest[..rest.IndexOf(' ')], System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.Add("stderr: " + e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var port = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return new ServerProcess(process, port, output);
    }

    /// <summary>Sends SIGTERM, as Kubernetes does, and waits for the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        _ = kill(Process.Id, 15);
        await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return Process.ExitCode;
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        Process.Dispose();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
