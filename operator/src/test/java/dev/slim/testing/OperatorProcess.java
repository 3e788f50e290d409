package dev.slim.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar slimimage.jar run} as its own process, the way the Deployment runs it: its own
 * environment (KUBECONFIG, SLIMIMAGE_*, HOSTNAME as the pod name), its own metrics port, its log in
 * a file. Stop it politely (SIGTERM, as the kubelet does) or kill it (SIGKILL, as a node crash).
 */
public final class OperatorProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final Process process;
  private final int metricsPort;
  private final Path log;

  private OperatorProcess(String name, Process process, int metricsPort, Path log) {
    this.name = name;
    this.process = process;
    this.metricsPort = metricsPort;
    this.log = log;
  }

  /** Starts the operator with {@code env} added to this JVM's environment, metrics on a free port. */
  public static OperatorProcess start(String name, Path kubeconfig, Map<String, String> env) {
    String jar = System.getProperty("slimimage.jar", "target/slimimage.jar");
    try {
      int port = freePort();
      Path log = Files.createTempFile("operator-" + name + "-", ".log");
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar, "run"));
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("SLIMIMAGE_"));
      pb.environment().put("KUBECONFIG", kubeconfig.toString());
      pb.environment().put("HOSTNAME", name);
      pb.environment().put("SLIMIMAGE_METRICS_PORT", Integer.toString(port));
      pb.environment().putAll(env);
      return new OperatorProcess(name, pb.start(), port, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + jar + " (build it with mvn package first)", e);
    }
  }

  public String name() {
    return name;
  }

  public int metricsPort() {
    return metricsPort;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** GET {@code path} on the metrics port; status -1 when nothing answers (yet). */
  public HttpResponse<String> get(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The Prometheus text of /metrics, or "" when the server is not up. */
  public String metrics() {
    HttpResponse<String> r = get("/metrics");
    return r == null || r.statusCode() != 200 ? "" : r.body();
  }

  /** The value of one sample line such as {@code slimimage_leader 1.0}, or NaN when absent. */
  public double sample(String seriesPrefix) {
    for (String line : metrics().split("\n")) {
      if (line.startsWith(seriesPrefix + " ")) {
        return Double.parseDouble(line.substring(seriesPrefix.length() + 1).trim());
      }
    }
    return Double.NaN;
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** SIGTERM and wait, as the kubelet stops a container. */
  public void stop() {
    process.destroy();
    waitFor();
  }

  /** SIGKILL: no shutdown hook, no Lease release. */
  public void kill() {
    process.destroyForcibly();
    waitFor();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }

  private void waitFor() {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public String toString() {
    return "operator " + name + " (metrics :" + metricsPort + ", log " + log + ")";
  }
}
