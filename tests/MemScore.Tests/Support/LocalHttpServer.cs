using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MemScore.Tests.Support;

/// <summary>What <see cref="LocalHttpServer"/> answers for one path.</summary>
/// <param name="DeclaredLength">Content-Length sent (default: the body's length; -1: none, the body ends when the connection closes).</param>
/// <param name="Stall">After the headers and body, keep the connection open without sending anything until the server stops.</param>
public sealed record HttpReply(int Status, byte[] Body, long? DeclaredLength = null, bool Stall = false);

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (a free port) that answers GET requests from a table of
/// paths, one request per connection. Raw sockets, so tests can send cut-short or stalled replies.
/// </summary>
public sealed class LocalHttpServer : IDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;

    public ConcurrentDictionary<string, HttpReply> Replies { get; } = new(StringComparer.Ordinal);
    public ConcurrentQueue<string> Requested { get; } = new();

    public LocalHttpServer()
    {
        _listener.Start();
        _loop = Task.Run(AcceptLoop);
    }

    public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = Task.Run(() => Serve(client));
        }
    }

    async Task Serve(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                string path = await ReadRequestPath(stream);
                Requested.Enqueue(path);
                var reply = Replies.TryGetValue(path, out var r) ? r : new HttpReply(404, Encoding.ASCII.GetBytes("not found"));
                var head = new StringBuilder($"HTTP/1.1 {reply.Status} {(reply.Status == 200 ? "OK" : "Error")}\r\nConnection: close\r\n");
                long length = reply.DeclaredLength ?? reply.Body.Length;
                if (length >= 0) head.Append($"Content-Length: {length}\r\n");
                head.Append("\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
                await stream.WriteAsync(reply.Body);
                await stream.FlushAsync();
                if (reply.Stall) await Task.Delay(Timeout.Infinite, _stop.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException) { }
        }
    }

    static async Task<string> ReadRequestPath(NetworkStream stream)
    {
        var received = new List<byte>();
        var buffer = new byte[1024];
        while (received.Count < 16384)
        {
            int n = await stream.ReadAsync(buffer);
            if (n == 0) break;
            received.AddRange(buffer.AsSpan(0, n).ToArray());
            if (Encoding.ASCII.GetString(received.ToArray()).Contains("\r\n\r\n")) break;
        }
        string firstLine = Encoding.ASCII.GetString(received.ToArray()).Split("\r\n")[0];
        var parts = firstLine.Split(' ');
        return parts.Length >= 2 ? parts[1] : "";
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
