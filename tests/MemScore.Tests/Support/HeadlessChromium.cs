using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MemScore.Tests.Support;

/// <summary>A fact that needs Debian's chromium (installed by ./test.sh); skipped with the reason otherwise.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.Executable is null) Skip = "chromium not installed (./test.sh installs it with apt-get install chromium)";
    }
}

public sealed record PageCheck(int Images, int BrokenImages, IReadOnlyList<string> ConsoleErrors, byte[] Screenshot);

/// <summary>
/// Opens a local page in headless Chromium and inspects it over the DevTools protocol (loopback
/// only, no browser download): broken images, console errors and exceptions, a screenshot.
/// </summary>
public static class HeadlessChromium
{
    public static readonly string? Executable = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    public static async Task<PageCheck> CheckAsync(string htmlPath, TimeSpan timeout)
    {
        using var profile = new TempDirectory();
        var start = new ProcessStartInfo(Executable!) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={profile.Path}", "--remote-debugging-port=0", "--window-size=1200,1600", "about:blank" })
            start.ArgumentList.Add(a);
        using var browser = Process.Start(start)!;
        _ = browser.StandardError.ReadToEndAsync();
        _ = browser.StandardOutput.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            string portFile = Path.Combine(profile.Path, "DevToolsActivePort");
            while (!File.Exists(portFile) || File.ReadAllLines(portFile).Length < 2) await Task.Delay(100, cancel.Token);
            int port = int.Parse(File.ReadAllLines(portFile)[0]);
            using var http = new HttpClient();
            var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list", cancel.Token))!.AsArray();
            string ws = targets.First(t => (string?)t!["type"] == "page")!["webSocketDebuggerUrl"]!.GetValue<string>();
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(ws), cancel.Token);
            var session = new Session(socket);
            await session.Call("Runtime.enable", null, cancel.Token);
            await session.Call("Log.enable", null, cancel.Token);
            await session.Call("Page.enable", null, cancel.Token);
            await session.Call("Page.navigate", new JsonObject { ["url"] = new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri }, cancel.Token);
            await session.WaitForEvent("Page.loadEventFired", cancel.Token);
            var evaluation = await session.Call("Runtime.evaluate", new JsonObject
            {
                ["expression"] = "JSON.stringify([document.images.length, Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length])",
                ["returnByValue"] = true,
            }, cancel.Token);
            var counts = JsonNode.Parse(evaluation["result"]!["value"]!.GetValue<string>())!.AsArray();
            var shot = await session.Call("Page.captureScreenshot", new JsonObject { ["format"] = "png" }, cancel.Token);
            return new PageCheck(counts[0]!.GetValue<int>(), counts[1]!.GetValue<int>(), session.Errors, Convert.FromBase64String(shot["data"]!.GetValue<string>()));
        }
        finally
        {
            browser.Kill(entireProcessTree: true);
            browser.WaitForExit();
        }
    }

    sealed class Session(ClientWebSocket socket)
    {
        int _id;
        readonly List<JsonObject> _events = [];
        public List<string> Errors { get; } = [];

        public async Task<JsonNode> Call(string method, JsonObject? parameters, CancellationToken token)
        {
            int id = ++_id;
            var message = new JsonObject { ["id"] = id, ["method"] = method };
            if (parameters is not null) message["params"] = parameters;
            await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, token);
            while (true)
            {
                var reply = await Receive(token);
                if (reply["id"] is { } rid && rid.GetValue<int>() == id)
                    return reply["result"] ?? throw new InvalidOperationException($"{method} failed: {reply.ToJsonString()}");
            }
        }

        public async Task WaitForEvent(string name, CancellationToken token)
        {
            if (_events.Any(e => (string?)e["method"] == name)) return;
            while ((string?)(await Receive(token))["method"] != name) { }
        }

        async Task<JsonObject> Receive(CancellationToken token)
        {
            var buffer = new byte[1 << 16];
            using var text = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, token);
                text.Write(buffer, 0, result.Count);
            } while (!result.EndOfMessage);
            var message = JsonNode.Parse(text.ToArray())!.AsObject();
            if (message["method"] is { } method)
            {
                _events.Add(message);
                string m = method.GetValue<string>();
                if (m == "Runtime.exceptionThrown") Errors.Add(message["params"]!["exceptionDetails"]!.ToJsonString());
                if (m == "Runtime.consoleAPICalled" && (string?)message["params"]!["type"] == "error") Errors.Add(message["params"]!.ToJsonString());
                if (m == "Log.entryAdded" && (string?)message["params"]!["entry"]!["level"] == "error") Errors.Add(message["params"]!["entry"]!.ToJsonString());
            }
            return message;
        }
    }
}
