package dev.slim.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes a command from a Debian package available to a test: found on PATH, or installed with
 * apt-get when the tests run as root (as CI does on a fresh machine), else the test is told why not.
 */
public final class DebianPackage {

  private DebianPackage() {}

  /** The absolute path of {@code command}, installing {@code pkg} first when it is missing. */
  public static synchronized Path ensure(String command, String pkg) {
    Path found = which(command);
    if (found != null) {
      return found;
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalStateException(command + " is missing; install it with: sudo apt-get install -y " + pkg);
    }
    // update first: a fresh machine may have no package lists at all.
    run(List.of("apt-get", "update"));
    run(List.of("apt-get", "install", "-y", "--no-install-recommends", pkg));
    found = which(command);
    if (found == null) {
      throw new IllegalStateException("apt-get installed " + pkg + " but " + command + " is still not on PATH");
    }
    return found;
  }

  private static Path which(String command) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
      Path p = Path.of(dir, command);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  private static void run(List<String> command) {
    try {
      Path log = Files.createTempFile("apt-get", ".log");
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
      Process p = pb.start();
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " failed:\n" + Files.readString(log));
      }
      Files.delete(log);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
