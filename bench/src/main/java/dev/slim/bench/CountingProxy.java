package dev.slim.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of the registry that counts the bytes clients send, so the
 * benchmark measures what really crossed the wire for a rebase and for a rebuild alike.
 */
final class CountingProxy implements AutoCloseable {

  private final ServerSocket server;
  private final AtomicLong sent = new AtomicLong();
  private final String upstreamHost;
  private final int upstreamPort;

  CountingProxy(String upstream) throws IOException {
    this.upstreamHost = upstream.substring(0, upstream.lastIndexOf(':'));
    this.upstreamPort = Integer.parseInt(upstream.substring(upstream.lastIndexOf(':') + 1));
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::acceptLoop, "counting-proxy");
    accept.setDaemon(true);
    accept.start();
  }

  /** {@code 127.0.0.1:PORT} to give clients instead of the registry's address. */
  String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** Bytes sent by clients since the last reset (request lines, headers and bodies). */
  long resetSent() {
    return sent.getAndSet(0);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(upstreamHost, upstreamPort);
        pump(client.getInputStream(), upstream.getOutputStream(), sent, client, upstream);
        pump(upstream.getInputStream(), client.getOutputStream(), new AtomicLong(), client, upstream);
      } catch (IOException e) {
        // the server socket was closed, or one connection failed; the client sees it as such
      }
    }
  }

  private static void pump(InputStream in, OutputStream out, AtomicLong counter, Socket a, Socket b) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[64 * 1024];
      try (a; b) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
          out.flush();
          counter.addAndGet(n);
        }
      } catch (IOException e) {
        // connection closed by either side
      }
    }, "counting-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
