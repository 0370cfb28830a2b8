using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PsTraining.Hosting;

/// <summary>
/// A program that the launcher (or a test) starts: one of ours (<c>dotnet exec NAME.dll ...</c>) or another one. Standard
/// error, and standard output unless a line handler takes it, go to a log file; it can be asked to stop (SIGTERM) or
/// killed with its whole tree.
/// </summary>
public sealed partial class ChildProcess : IDisposable
{
    private readonly StreamWriter _log;
    private readonly Queue<string> _tail = new();

    private ChildProcess(string name, Process process, StreamWriter log)
    {
        Name = name;
        Process = process;
        _log = log;
        Exited = process.WaitForExitAsync().ContinueWith(_ => process.ExitCode, TaskScheduler.Default);
    }

    private int _disposed;

    public string Name { get; }

    public Process Process { get; }

    /// <summary>Completes with the exit code.</summary>
    public Task<int> Exited { get; }

    /// <summary>
    /// Starts <paramref name="assembly"/>, one of our programs (its path, or its file name when it lies beside this
    /// process's own program, in AppContext.BaseDirectory), with <paramref name="args"/>; each stdout line goes to
    /// <paramref name="onLine"/>, and to the log too when <paramref name="logOutput"/> (stderr always goes to the log).
    /// </summary>
    public static ChildProcess Start(string name, string assembly, IEnumerable<string> args, string logPath, Action<string>? onLine = null, bool logOutput = true,
        IReadOnlyDictionary<string, string>? environment = null) =>
        StartProgram(name, "dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, assembly), .. args], logPath, onLine, logOutput, environment);

    /// <summary>Starts any program (for example Debian's prometheus) the same way, with <paramref name="environment"/> added to this process's.</summary>
    public static ChildProcess StartProgram(string name, string program, IEnumerable<string> args, string logPath, Action<string>? onLine = null, bool logOutput = true,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = StartInfo(program, args, environment);
        var log = new StreamWriter(logPath) { AutoFlush = true };
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {name}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            log.Dispose();
            throw new InvalidOperationException($"cannot start {name} ({program}: {e.Message})", e);
        }

        var child = new ChildProcess(name, process, log);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            if (logOutput)
            {
                child.Append(e.Data);
            }

            onLine?.Invoke(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                child.Append(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>How to start <paramref name="program"/> with its output and errors read here, and <paramref name="environment"/> added to this process's variables.</summary>
    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return info;
    }

    /// <summary>The last lines it logged, for an error message.</summary>
    public string Tail()
    {
        lock (_tail)
        {
            return string.Join('\n', _tail);
        }
    }

    /// <summary>Asks it to stop (SIGTERM): a learner finishes its push in flight, the server drains and checkpoints.</summary>
    public void Terminate()
    {
        if (!Process.HasExited)
        {
            _ = kill(Process.Id, 15);
        }
    }

    /// <summary>Waits up to <paramref name="grace"/> for it to exit, then kills its whole tree.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        Terminate();
        if (await Task.WhenAny(Exited, Task.Delay(grace)) != Exited)
        {
            Process.Kill(entireProcessTree: true);
            await Exited;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        Process.Dispose();
        lock (_tail)
        {
            _log.Dispose();
        }
    }

    private void Append(string line)
    {
        lock (_tail)
        {
            _log.WriteLine(line);
            _tail.Enqueue(line);
            if (_tail.Count > 20)
            {
                _tail.Dequeue();
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
