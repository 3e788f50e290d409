package dev.slim.testing;

import dev.slim.registry.RegistryCredentials;
import dev.slim.registry.RegistryOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Distribution registry on a free loopback port, started and stopped with the project's
 * {@code testbed/registry up|down DIR} script (which installs Debian's docker-registry when
 * missing). Use {@link #shared()} or {@link #sharedWithAuth()} so IT classes share one instance
 * per JVM; {@link #start(boolean)} gives a private one (e.g. a second registry for cross-registry
 * copies). A JVM shutdown hook stops every instance, so no registry outlives the tests.
 */
public final class RegistryServer implements AutoCloseable {

  /** The user of {@link #sharedWithAuth()} and of every {@code start(true)} registry. */
  public static final String USER = "slim";
  /** Fixed so a failing test can be replayed by hand with curl or skopeo. */
  public static final String PASSWORD = "slim-registry-test";

  private static final Pattern EXPORT = Pattern.compile("export REGISTRY=(\\S+)");
  private static RegistryServer shared;
  private static RegistryServer sharedWithAuth;

  private final Path dir;
  private final String host;
  private final boolean withAuth;
  private final Thread stopAtExit;

  private RegistryServer(Path dir, String host, boolean withAuth) {
    this.dir = dir;
    this.host = host;
    this.withAuth = withAuth;
    this.stopAtExit = new Thread(this::stop, "stop-registry-" + host);
    Runtime.getRuntime().addShutdownHook(stopAtExit);
  }

  /** The per-JVM registry without authentication. */
  public static synchronized RegistryServer shared() {
    if (shared == null) {
      shared = start(false);
    }
    return shared;
  }

  /** The per-JVM registry with htpasswd (Basic) authentication for {@link #USER}/{@link #PASSWORD}. */
  public static synchronized RegistryServer sharedWithAuth() {
    if (sharedWithAuth == null) {
      sharedWithAuth = start(true);
    }
    return sharedWithAuth;
  }

  /** A new registry of one's own; close it when done. */
  public static RegistryServer start(boolean withAuth) {
    Path script = ProjectRoot.resolve("testbed/registry");
    try {
      Path dir = Files.createTempDirectory("slim-registry-");
      ProcessBuilder pb = withAuth
          ? new ProcessBuilder(script.toString(), "up", dir.toString(), "--htpasswd", USER + ":" + PASSWORD)
          : new ProcessBuilder(script.toString(), "up", dir.toString());
      // Files, not pipes: the registry the script leaves running could hold a pipe open forever.
      Path stdout = dir.resolve("up.out");
      Path stderr = dir.resolve("up.err");
      Process up = pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
      // Generous: the first run on a fresh machine may apt-get install docker-registry.
      boolean exited = up.waitFor(10, TimeUnit.MINUTES);
      String out = Files.readString(stdout);
      if (!exited || up.exitValue() != 0) {
        up.destroyForcibly();
        throw new IllegalStateException(script + " up " + dir + " failed: " + out + Files.readString(stderr));
      }
      Matcher m = EXPORT.matcher(out);
      if (!m.find()) {
        throw new IllegalStateException(script + " up printed no 'export REGISTRY=...' line: " + out);
      }
      return new RegistryServer(dir, m.group(1), withAuth);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting a registry", e);
    }
  }

  /** {@code 127.0.0.1:PORT}, the registry part of image references. */
  public String host() {
    return host;
  }

  /** The login for this registry, or anonymous when it has no authentication. */
  public RegistryCredentials credentials() {
    return RegistryCredentials.fromDockerConfig(dockerConfigJson(), "RegistryServer " + host);
  }

  /** A Docker config.json with this registry's login (an empty {@code auths} without auth). */
  public byte[] dockerConfigJson() {
    String auths = "";
    if (withAuth) {
      String auth = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
      auths = "\"" + host + "\":{\"auth\":\"" + auth + "\"}";
    }
    return ("{\"auths\":{" + auths + "}}").getBytes(StandardCharsets.UTF_8);
  }

  /** Default options that reach this registry over plain HTTP. */
  public RegistryOptions options() {
    return RegistryOptions.defaults(Set.of(host));
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(stopAtExit);
    } catch (IllegalStateException shuttingDown) {
      return; // the hook is already running stop()
    }
    stop();
  }

  private void stop() {
    try {
      Process down = new ProcessBuilder(ProjectRoot.resolve("testbed/registry").toString(), "down", dir.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      down.waitFor(30, TimeUnit.SECONDS);
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    } catch (IOException e) {
      System.err.println("could not stop registry " + host + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "RegistryServer[" + host + (withAuth ? ", htpasswd" : "") + "]";
  }
}
