using PsTraining.Models.Zoo;
using PsTraining.TestSupport;
using System.Diagnostics;
using System.Globalization;
using PsTraining.ParameterServer.Core;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using PsTraining.Hosting.Metrics;
using PsTraining.Protocol.Client;
using PsTraining.ParameterServer.Hosting;
using PsTraining.ParameterServer.Service;
using PsTraining.Protocol.V1;
using PsTraining.Protocol;

namespace PsTraining.Benchmarks;

/// <summary>
/// Push+pull round trips on loopback against our server (Kestrel, in this process) and, in the same run, against
/// a plain Python grpcio server doing a numpy add (tests/interop/ps_server.py, its own process). Both are driven by
/// the same C# client (the learners' block-copy path: PullIntoAsync, PushFlatAsync), so the client's cost is the
/// same on both sides. Prints pushes/s, gradient MB/s and
/// round-trip p50/p99 for each model size and number of concurrent learners. Our server is warmed up first (untimed
/// round trips and streamed pushes): on this machine the JIT takes seconds to bring the server and the client to their
/// final code, and the cells measured before that read half the steady rate. Python has no JIT to wait for.
/// Usage: dotnet run --project tests/Benchmarks -c Release -- transport [--seconds 3] [--sizes 61706,10000000] [--learners 1,4,16] [--warmup 10]
/// </summary>
public static class TransportBenchmark
{
    public static async Task<int> RunAsync(TransportOptions options)
    {
        var (seconds, sizes, learnerCounts) = (options.Seconds, CommaList.Integers(options.Sizes), CommaList.Integers(options.Learners));
        if (options.Warmup > 0)
        {
            Console.Error.WriteLine($"warming our server and client up for {options.Warmup:0.#} s (untimed)");
            await MeasureOurs(sizes.Min(), learnerCounts.Max(), options.Warmup * 2 / 3, pullEveryStep: true);
            await MeasureOurs(sizes.Min(), learnerCounts.Max(), options.Warmup / 3, pullEveryStep: false, streamed: true);
        }

        Console.WriteLine($"push+pull round trips on loopback, {seconds} s per cell after {options.Warmup:0.#} s of warm-up, {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine("| floats | learners | server | pushes/s | gradient MB/s | round trip p50 ms | p99 ms | ours/python pushes/s |");
        Console.WriteLine("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var size in sizes)
        {
            foreach (var learners in learnerCounts)
            {
                var ours = await MeasureOurs(size, learners, seconds, pullEveryStep: true);
                var python = await MeasurePython(size, learners, seconds, pullEveryStep: true);
                Row(size, learners, "PsTraining", ours, ours.PushesPerSecond / python.PushesPerSecond);
                Row(size, learners, "python grpcio", python, null);
            }
        }

        // Gradient ingest alone: learners push back to back without pulling in between.
        Console.WriteLine();
        Console.WriteLine("push only (gradient ingest):");
        Console.WriteLine();
        Console.WriteLine("| floats | learners | server | pushes/s | gradient MB/s | push p50 ms | p99 ms | ours/python pushes/s |");
        Console.WriteLine("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        var largest = sizes.Max();
        foreach (var learners in learnerCounts)
        {
            var ours = await MeasureOurs(largest, learners, seconds, pullEveryStep: false);
            var streamed = await MeasureOurs(largest, learners, seconds, pullEveryStep: false, streamed: true);
            var python = await MeasurePython(largest, learners, seconds, pullEveryStep: false);
            Row(largest, learners, "PsTraining", ours, ours.PushesPerSecond / python.PushesPerSecond);
            Row(largest, learners, "PsTraining, streamed (1 MiB chunks)", streamed, streamed.PushesPerSecond / python.PushesPerSecond);
            Row(largest, learners, "python grpcio", python, null);
        }

        return 0;
    }

    private static void Row(int size, int learners, string server, Result r, double? ratio) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {size} | {learners} | {server} | {r.PushesPerSecond:F1} | {r.PushesPerSecond * size * 4 / 1e6:F1} | {r.P50:F2} | {r.P99:F2} | {(ratio is { } x ? x.ToString("F2", CultureInfo.InvariantCulture) : "")} |"));

    /// <summary>
    /// <c>metrics</c>: push+pull throughput of our server with its metrics on (our instruments, ASP.NET Core's and the
    /// runtime's recording into the OpenTelemetry SDK, /metrics scraped over HTTP every second, as Prometheus would) and
    /// off (no SDK at all), alternating.
    /// Usage: dotnet run --project tests/Benchmarks -c Release -- metrics [--seconds 3] [--repeats 5] [--learners 4] [--side on|off]
    /// With <c>--side</c>, only that side runs (a warm-up, then one rate per line): two such processes started together,
    /// one per side, see the same machine at the same moments, which alternation on a drifting machine cannot give.
    /// </summary>
    public static async Task<int> RunMetricsAsync(MetricsBenchmarkOptions options)
    {
        var (seconds, repeats, learners, side) = (options.Seconds, options.Repeats, options.Learners, options.Side);
        var (on, off) = (new List<(double Rate, double Cpu)>(), new List<(double Rate, double Cpu)>());
        // Round trips per second, and the process's CPU time per round trip (server and learners share this process):
        // the machine's drift moves the first a lot more than the second.
        async Task<(double Rate, double Cpu)> Measure(bool metrics, double? forSeconds = null)
        {
            using var meter = metrics ? MetricsExport.CreateMeter(MetricNames.ParameterServerMeter) : null;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var result = await MeasureOurs(61706, learners, forSeconds ?? seconds, pullEveryStep: true, meter is null ? null : new PsInstruments(meter));
            return (result.PushesPerSecond, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / result.Count);
        }

        if (side is not null)
        {
            await Measure(side == "on", options.Warmup); // warm-up (the JIT's), not counted
            for (var r = 0; r < repeats; r++)
            {
                Console.WriteLine((await Measure(side == "on")).Rate.ToString("F1", CultureInfo.InvariantCulture));
            }

            return 0;
        }

        // Warm-up (the JIT's), not counted: in its first seconds the server runs at half its rate.
        await Measure(false, options.Warmup / 2);
        await Measure(true, options.Warmup / 2);
        for (var r = 0; r < repeats; r++)
        {
            // Alternating which goes first, so that neither side always follows the other.
            foreach (var metrics in r % 2 == 0 ? new[] { false, true } : [true, false])
            {
                (metrics ? on : off).Add(await Measure(metrics));
            }
        }

        double Median(IEnumerable<double> v) => v.Order().ElementAt(v.Count() / 2);
        Console.WriteLine($"push+pull of 61706 floats, {learners} learners, {seconds} s per run, {repeats} runs each in alternating order after {options.Warmup:0.#} s of warm-up; medians");
        // Runs next to each other see the same machine: the median of the per-pair ratios is steadier than the ratio of the medians.
        var ratePairs = off.Zip(on, (a, b) => b.Rate / a.Rate);
        var cpuPairs = off.Zip(on, (a, b) => b.Cpu / a.Cpu);
        Console.WriteLine("| | metrics off | metrics on | on/off (medians) | on/off (median of pairs) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| round trips/s | {Median(off.Select(r => r.Rate)):F1} | {Median(on.Select(r => r.Rate)):F1} | {Median(on.Select(r => r.Rate)) / Median(off.Select(r => r.Rate)):F3} | {Median(ratePairs):F3} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| CPU µs per round trip | {Median(off.Select(r => r.Cpu)):F1} | {Median(on.Select(r => r.Cpu)):F1} | {Median(on.Select(r => r.Cpu)) / Median(off.Select(r => r.Cpu)):F3} | {Median(cpuPairs):F3} |"));
        string Runs(List<(double Rate, double Cpu)> runs) => string.Join(", ", runs.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Rate:F0}/s {r.Cpu:F0} µs")));
        Console.WriteLine($"runs off: {Runs(off)}");
        Console.WriteLine($"runs on: {Runs(on)}");

        // The same cost timed directly, which the machine's drift does not blur: what the instruments record for one
        // round trip, as a share of the CPU time the machine has per round trip at the measured rate.
        var recording = RecordingNanoseconds();
        var rate = Median(on.Select(r => r.Rate));
        var share = recording * rate / (Environment.ProcessorCount * 1e9);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"recording one round trip's metrics (staleness, applied, push and pull duration and bytes): {recording:F0} ns; at {rate:F0} round trips/s that is {share:P3} of {Environment.ProcessorCount} cores"));
        return 0;
    }

    /// <summary>Nanoseconds the server's instruments take to record one push and one pull, with the SDK and its Prometheus exporter attached.</summary>
    private static double RecordingNanoseconds()
    {
        using var meter = MetricsExport.CreateMeter(MetricNames.ParameterServerMeter);
        var instruments = new PsInstruments(meter);
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddPrometheusExporter().Build();
        string[] learners = ["learner-1", "learner-2", "learner-3", "learner-4"];
        void Record(int i)
        {
            var learner = learners[i & 3];
            instruments.Staleness(learner, (ulong)(i % 5));
            instruments.Applied(learner);
            instruments.Push(TimeSpan.FromMilliseconds(1), 4 * 61706);
            instruments.Pull(TimeSpan.FromMilliseconds(0.5), 4 * 61706);
        }

        for (var i = 0; i < 100_000; i++)
        {
            Record(i); // warm-up: JIT and the SDK's per-series state
        }

        const int count = 2_000_000;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            Record(i);
        }

        return clock.Elapsed.TotalNanoseconds / count;
    }

    /// <summary>
    /// <c>servers</c>: push+pull round trips of LeNet-5's weights against parameter-server <i>processes</i> of different
    /// builds, started as a user starts one (no options but free ports), alternating build after build, round after
    /// round, so that the machine's drift hits them alike; the first build is the reference of the ratios.
    /// Usage: dotnet run --project tests/Benchmarks -c Release -- servers --dlls OLD.dll,NEW.dll [--names old,new] [--learners 1,4] [--seconds 3] [--warmup 10] [--rounds 3]
    /// </summary>
    public static async Task<int> RunServersAsync(ServersOptions options)
    {
        var (seconds, rounds, warmup, learnerCounts) = (options.Seconds, options.Rounds, options.Warmup, CommaList.Integers(options.Learners));
        var dlls = options.Dlls!.Split(',').Select(Path.GetFullPath).ToArray();
        var names = options.Names?.Split(',') ?? dlls.Select((_, k) => $"build {k}").ToArray();
        var weightsFile = Path.Combine(Path.GetTempPath(), $"pstraining-bench-lenet5-{Environment.ProcessId}.safetensors");
        var layout = InitialWeights.Write("lenet5", 1, weightsFile).Layout;
        var seeding = new List<string[]>();
        foreach (var dll in dlls)
        {
            seeding.Add(await TakesInitialWeights(dll) ? ["--initial-weights", weightsFile] : []);
        }

        var rates = new Dictionary<(int Learners, int Build), List<double>>();
        var serverCpu = new Dictionary<(int Learners, int Build), List<double>>(); // the server process's CPU µs per round trip
        for (var r = 0; r < rounds; r++)
        {
            foreach (var learners in learnerCounts)
            {
                for (var b = 0; b < dlls.Length; b++)
                {
                    var (server, port) = await StartServer(dlls[b], seeding[b]);
                    try
                    {
                        // Warm-up: until the JIT has settled (a silo's start leaves it busy for seconds), which a server that runs for hours never sees.
                        await Drive(port, layout.TotalLength, learners, warmup, pullEveryStep: true, layout: layout);
                        server.Refresh();
                        var cpu = server.TotalProcessorTime;
                        var result = await Drive(port, layout.TotalLength, learners, seconds, pullEveryStep: true, layout: layout);
                        server.Refresh();
                        rates.TryAdd((learners, b), []);
                        rates[(learners, b)].Add(result.PushesPerSecond);
                        serverCpu.TryAdd((learners, b), []);
                        serverCpu[(learners, b)].Add((server.TotalProcessorTime - cpu).TotalMicroseconds / result.Count);
                    }
                    finally
                    {
                        server.Kill(entireProcessTree: true);
                        await server.WaitForExitAsync();
                        server.Dispose();
                    }
                }
            }
        }

        File.Delete(weightsFile);
        double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
        Console.WriteLine($"push+pull round trips of LeNet-5 (61,706 floats) against server processes, {seconds} s per cell after a {warmup} s warm-up, {rounds} rounds alternating the builds, {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine($"| learners | {string.Join(" | ", names.Select(n => $"{n}, round trips/s"))} | {string.Join(" | ", names.Skip(1).Select(n => $"{n}/{names[0]} (medians)"))} |");
        Console.WriteLine($"| ---: | {string.Join(" | ", names.Select(_ => "---"))} | {string.Join(" | ", names.Skip(1).Select(_ => "---:"))} |");
        foreach (var learners in learnerCounts)
        {
            var cells = Enumerable.Range(0, dlls.Length).Select(b => string.Join(" / ", rates[(learners, b)].Select(x => x.ToString("F0", CultureInfo.InvariantCulture))));
            var ratios = Enumerable.Range(1, dlls.Length - 1).Select(b => (Median(rates[(learners, b)]) / Median(rates[(learners, 0)])).ToString("F3", CultureInfo.InvariantCulture));
            Console.WriteLine($"| {learners} | {string.Join(" | ", cells)} | {string.Join(" | ", ratios)} |");
        }

        // The machine's drift moves the rate a lot more than the server's own cost per round trip.
        Console.WriteLine();
        Console.WriteLine($"| learners | {string.Join(" | ", names.Select(n => $"{n}, server CPU µs per round trip"))} | {string.Join(" | ", names.Skip(1).Select(n => $"{n}/{names[0]} (medians)"))} |");
        Console.WriteLine($"| ---: | {string.Join(" | ", names.Select(_ => "---"))} | {string.Join(" | ", names.Skip(1).Select(_ => "---:"))} |");
        foreach (var learners in learnerCounts)
        {
            var cells = Enumerable.Range(0, dlls.Length).Select(b => string.Join(" / ", serverCpu[(learners, b)].Select(x => x.ToString("F0", CultureInfo.InvariantCulture))));
            var ratios = Enumerable.Range(1, dlls.Length - 1).Select(b => (Median(serverCpu[(learners, b)]) / Median(serverCpu[(learners, 0)])).ToString("F3", CultureInfo.InvariantCulture));
            Console.WriteLine($"| {learners} | {string.Join(" | ", cells)} | {string.Join(" | ", ratios)} |");
        }

        return 0;
    }

    /// <summary>Whether a server build seeds itself from --initial-weights (a build from before issue 19 builds LeNet-5, seed 1, itself).</summary>
    private static async Task<bool> TakesInitialWeights(string dll)
    {
        using var help = Process.Start(new ProcessStartInfo("dotnet", [dll, "--help"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var options = await help.StandardOutput.ReadToEndAsync();
        await help.WaitForExitAsync();
        return options.Contains("--initial-weights", StringComparison.Ordinal);
    }

    /// <summary>A server build as a process on free ports, with <paramref name="seeding"/> and its defaults otherwise; returns once it says it listens.</summary>
    private static async Task<(Process Process, int Port)> StartServer(string dll, string[] seeding)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])[dll, "--port", "0", "--metrics-port", "-1", "--status-interval", "0", .. seeding])
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {dll}");
        const string marker = "listening on http://127.0.0.1:";
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.IndexOf(marker, StringComparison.Ordinal) is >= 0 and var at)
            {
                var rest = line[(at + marker.Length)..];
                _ = process.StandardOutput.ReadToEndAsync(); // keep its pipe drained
                return (process, int.Parse(rest[..rest.IndexOf(' ')], CultureInfo.InvariantCulture));
            }
        }

        throw new InvalidOperationException($"{dll} exited before it listened");
    }

    /// <summary>Our server in this process; with <paramref name="instruments"/>, its metrics are on and scraped every second.</summary>
    private static async Task<Result> MeasureOurs(int size, int learners, double seconds, bool pullEveryStep, PsInstruments? instruments = null, bool streamed = false)
    {
        var layout = new ParameterLayout([("w", [size])]);
        using var core = new ParameterServerCore(layout, new float[size], new CoreOptions { Shards = 4, LearningRate = 0.001f }, instruments: instruments);
        await using var host = await ParameterServerHost.StartAsync(core, instruments, new ServerHostOptions
        {
            Metrics = instruments is null ? null : new MetricsOptions("pstraining-benchmark", "metrics-on", Port: 0),
        });
        using var scraping = new CancellationTokenSource();
        var scraper = host.MetricsPort is { } port ? Scrape(new Uri($"http://127.0.0.1:{port}{MetricsExport.Path}"), scraping.Token) : Task.CompletedTask;
        var result = await Drive(host.Port, size, learners, seconds, pullEveryStep, streamed);
        await scraping.CancelAsync();
        await scraper;
        return result;
    }

    private static async Task Scrape(Uri metrics, CancellationToken stop)
    {
        using var http = new HttpClient();
        while (!stop.IsCancellationRequested)
        {
            await http.GetStringAsync(metrics, CancellationToken.None);
            await Task.Delay(1000, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static async Task<Result> MeasurePython(int size, int learners, double seconds, bool pullEveryStep)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { Repository.Path("tests", "interop", "ps_server.py"), "--floats", $"{size}", "--lr", "0.001", "--workers", "16" })
        {
            info.ArgumentList.Add(a);
        }

        using var python = Process.Start(info) ?? throw new InvalidOperationException("cannot start /usr/bin/python3");
        try
        {
            var line = await python.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the Python server did not start");
            return await Drive(int.Parse(line[5..], CultureInfo.InvariantCulture), size, learners, seconds, pullEveryStep);
        }
        finally
        {
            python.Kill(entireProcessTree: true);
            await python.WaitForExitAsync();
        }
    }

    /// <summary>
    /// Each learner: pull (every step, or once), push a gradient computed from nothing (the transport is what is
    /// measured), as one message or <paramref name="streamed"/> in chunks, repeat.
    /// </summary>
    private static async Task<Result> Drive(int port, int size, int learners, double seconds, bool pullEveryStep, bool streamed = false, ParameterLayout? layout = null)
    {
        var gradient = Enumerable.Range(0, size).Select(i => (i % 7) * 0.001f).ToArray();
        layout ??= new ParameterLayout([("w", [size])]);
        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        var end = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, learners).Select(async k =>
        {
            // One connection per learner, as separate learner processes have.
            using var client = new ParameterServerClient(new Uri($"http://127.0.0.1:{port}"), new ParameterServerClientOptions
            {
                MaxReceiveMessageSize = 256 << 20,
                MaxSendMessageSize = 256 << 20,
            });
            var id = (await client.RegisterAsync(new RegisterRequest { Name = $"bench-{k}" })).LearnerId;
            var weights = new float[size];
            var mine = new List<double>();
            var read = await client.PullIntoAsync(id, layout, weights);
            for (ulong s = 1; clock.Elapsed < end || s <= 2; s++)
            {
                var start = clock.Elapsed;
                if (pullEveryStep && s > 1)
                {
                    read = await client.PullIntoAsync(id, layout, weights);
                }

                await (streamed ? client.PushStreamAsync(id, s, read, 0, gradient) : client.PushFlatAsync(id, s, read, 0, layout, gradient));
                mine.Add((clock.Elapsed - start).TotalMilliseconds);
            }

            lock (latencies)
            {
                latencies.AddRange(mine);
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        latencies.Sort();
        return new Result(latencies.Count / elapsed, latencies[latencies.Count / 2], latencies[Math.Min(latencies.Count - 1, (int)(latencies.Count * 0.99))], latencies.Count);
    }

    private sealed record Result(double PushesPerSecond, double P50, double P99, int Count);
}
