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
/// only, no browser download): broken images, console errors and exceptions, screenshots, and
/// JavaScript evaluated in the page (clicks, sorting, timing) through <see cref="BrowserPage"/>.
/// </summary>
public static class HeadlessChromium
{
    public static readonly string? Executable = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    public static async Task<PageCheck> CheckAsync(string htmlPath, TimeSpan timeout)
    {
        await using var page = await BrowserPage.OpenAsync(htmlPath, timeout);
        var counts = JsonNode.Parse(await page.EvaluateAsync<string>(
            "JSON.stringify([document.images.length, Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length])"))!.AsArray();
        var shot = await page.ScreenshotAsync();
        return new PageCheck(counts[0]!.GetValue<int>(), counts[1]!.GetValue<int>(), page.Errors, shot);
    }

    /// <summary>A page loaded from the file system in its own headless Chromium, driven over the DevTools protocol.</summary>
    public sealed class BrowserPage : IAsyncDisposable
    {
        readonly Process _browser;
        readonly TempDirectory _profile;
        readonly ClientWebSocket _socket;
        readonly Session _session;
        readonly CancellationTokenSource _cancel;

        BrowserPage(Process browser, TempDirectory profile, ClientWebSocket socket, CancellationTokenSource cancel)
        {
            (_browser, _profile, _socket, _cancel) = (browser, profile, socket, cancel);
            _session = new Session(socket);
        }

        /// <summary>Console errors and uncaught exceptions so far.</summary>
        public IReadOnlyList<string> Errors => _session.Errors;

        public static async Task<BrowserPage> OpenAsync(string htmlPath, TimeSpan timeout, int width = 1200, int height = 1600)
        {
            var profile = new TempDirectory();
            var start = new ProcessStartInfo(Executable!) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", $"--user-data-dir={profile.Path}", "--remote-debugging-port=0", $"--window-size={width},{height}", "--hide-scrollbars", "about:blank" })
                start.ArgumentList.Add(a);
            var browser = Process.Start(start)!;
            _ = browser.StandardError.ReadToEndAsync();
            _ = browser.StandardOutput.ReadToEndAsync();
            var cancel = new CancellationTokenSource(timeout);
            var socket = new ClientWebSocket();
            var page = new BrowserPage(browser, profile, socket, cancel);
            try
            {
                string portFile = Path.Combine(profile.Path, "DevToolsActivePort");
                while (!File.Exists(portFile) || File.ReadAllLines(portFile).Length < 2) await Task.Delay(100, cancel.Token);
                int port = int.Parse(File.ReadAllLines(portFile)[0]);
                using var http = new HttpClient();
                var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list", cancel.Token))!.AsArray();
                string ws = targets.First(t => (string?)t!["type"] == "page")!["webSocketDebuggerUrl"]!.GetValue<string>();
                await socket.ConnectAsync(new Uri(ws), cancel.Token);
                await page.CallAsync("Runtime.enable");
                await page.CallAsync("Log.enable");
                await page.CallAsync("Page.enable");
                await page.CallAsync("Page.navigate", new JsonObject { ["url"] = new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri });
                await page._session.WaitForEvent("Page.loadEventFired", cancel.Token);
                return page;
            }
            catch
            {
                await page.DisposeAsync();
                throw;
            }
        }

        public Task<JsonNode> CallAsync(string method, JsonObject? parameters = null) => _session.Call(method, parameters, _cancel.Token);

        /// <summary>The value of a JavaScript expression (awaited if it is a promise); an exception in it fails the call.</summary>
        public async Task<T> EvaluateAsync<T>(string expression)
        {
            var reply = await CallAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
            if (reply["exceptionDetails"] is { } error) throw new InvalidOperationException($"{expression}: {error.ToJsonString()}");
            return reply["result"]!["value"]!.GetValue<T>();
        }

        /// <summary>PNG of the viewport, or of the page region (x, y, width, height) in CSS pixels.</summary>
        public async Task<byte[]> ScreenshotAsync((double X, double Y, double Width, double Height)? clip = null)
        {
            var parameters = new JsonObject { ["format"] = "png" };
            if (clip is { } c) parameters["clip"] = new JsonObject { ["x"] = c.X, ["y"] = c.Y, ["width"] = c.Width, ["height"] = c.Height, ["scale"] = 1 };
            var shot = await CallAsync("Page.captureScreenshot", parameters);
            return Convert.FromBase64String(shot["data"]!.GetValue<string>());
        }

        public async ValueTask DisposeAsync()
        {
            try { _browser.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await _browser.WaitForExitAsync();
            _browser.Dispose();
            _socket.Dispose();
            _cancel.Dispose();
            _profile.Dispose();
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
