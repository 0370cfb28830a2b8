using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PsTraining.Experiments.Tests;

/// <summary>
/// Loads a page in Debian's headless Chromium and reports what a person would see go wrong: console errors, uncaught
/// exceptions and failed loads (the browser's own log, which is where "Failed to load resource" appears), read through
/// the DevTools protocol rather than scraped from Chromium's noisy stderr. After the load event it evaluates a script
/// in the page and hands back its JSON result.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode>> _pending = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextId;
    private string? _session;

    private HeadlessChromium(Process process, string profile) => (_process, _profile) = (process, profile);

    /// <summary>The console errors, exceptions and failed loads seen so far.</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    public static async Task<HeadlessChromium> StartAsync(TimeSpan timeout)
    {
        var profile = Directory.CreateTempSubdirectory("pstraining-chromium-").FullName;
        var info = new ProcessStartInfo("chromium") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        // --no-sandbox: the tests may run as root; file access lets a file:// page read its neighbours, as a user's browser does.
        foreach (var arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0", $"--user-data-dir={profile}", "--allow-file-access-from-files", "about:blank" })
        {
            info.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot start chromium ({e.Message}): run ./scripts/setup.sh (apt-get install chromium)", e);
        }

        var browser = new HeadlessChromium(process, profile);
        _ = process.StandardOutput.ReadToEndAsync();
        var endpoint = await ReadEndpointAsync(process.StandardError).WaitAsync(timeout);
        await browser._socket.ConnectAsync(new Uri(endpoint), CancellationToken.None).WaitAsync(timeout);
        _ = browser.ReceiveLoopAsync();
        var target = await browser.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }).WaitAsync(timeout);
        var attached = await browser.SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true }).WaitAsync(timeout);
        browser._session = attached["sessionId"]!.GetValue<string>();
        foreach (var domain in new[] { "Runtime.enable", "Log.enable", "Page.enable" })
        {
            await browser.SendAsync(domain).WaitAsync(timeout);
        }

        return browser;
    }

    /// <summary>Navigates to <paramref name="url"/>, waits for its load event (images included), then returns what <paramref name="expression"/> evaluates to.</summary>
    public async Task<JsonNode?> LoadAndEvaluateAsync(string url, string expression, TimeSpan timeout)
    {
        _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url }).WaitAsync(timeout);
        await _loaded.Task.WaitAsync(timeout);
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true }).WaitAsync(timeout);
        if (result["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException($"the page script failed: {exception.ToJsonString()}");
        }

        return result["result"]?["value"];
    }

    private static async Task<string> ReadEndpointAsync(StreamReader stderr)
    {
        const string Prefix = "DevTools listening on ";
        while (await stderr.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(Prefix, StringComparison.Ordinal))
            {
                _ = stderr.ReadToEndAsync(); // keep draining, or Chromium blocks on a full pipe
                return line[Prefix.Length..].Trim();
            }
        }

        throw new InvalidOperationException("chromium exited before it opened its DevTools endpoint");
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        if (_session is not null)
        {
            message["sessionId"] = _session;
        }

        var reply = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        return await reply.Task;
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var part = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                message.Write(buffer, 0, part.Count);
                if (!part.EndOfMessage)
                {
                    continue;
                }

                Handle(JsonNode.Parse(message.ToArray())!);
                message.SetLength(0);
            }
        }
        catch (WebSocketException)
        {
            // the browser went away: pending calls time out with their own message
        }
    }

    private void Handle(JsonNode message)
    {
        if (message["id"] is { } id && _pending.TryRemove(id.GetValue<int>(), out var reply))
        {
            if (message["error"] is { } error)
            {
                reply.SetException(new InvalidOperationException($"DevTools error: {error.ToJsonString()}"));
            }
            else
            {
                reply.SetResult(message["result"] ?? new JsonObject());
            }

            return;
        }

        var parameters = message["params"] ?? new JsonObject();
        switch (message["method"]?.GetValue<string>())
        {
            case "Page.loadEventFired":
                _loaded.TrySetResult();
                break;
            case "Runtime.exceptionThrown":
                var details = parameters["exceptionDetails"];
                _errors.Enqueue("exception: " + (details?["exception"]?["description"] ?? details?["text"]));
                break;
            case "Runtime.consoleAPICalled":
                if (parameters["type"]?.GetValue<string>() is "error" or "assert")
                {
                    var args = parameters["args"]!.AsArray().Select(a => (a?["value"] ?? a?["description"])?.ToString());
                    _errors.Enqueue("console.error: " + string.Join(' ', args));
                }

                break;
            case "Log.entryAdded":
                var entry = parameters["entry"]!;
                if (entry["level"]?.GetValue<string>() == "error")
                {
                    _errors.Enqueue($"{entry["source"]}: {entry["text"]} {entry["url"]}");
                }

                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
            }
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException)
        {
            // closing is best effort: the process is killed below
        }

        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // a helper process may still be writing its profile; the temporary directory is left behind
        }
    }
}
