package dev.slim.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout's root directory, where deploy/, crds/ and testbed/ live. */
public final class ProjectRoot {

  private ProjectRoot() {}

  /** From the build's {@code slimimage.projectRoot}, else the nearest directory up with {@code deploy/}. */
  public static Path get() {
    String configured = System.getProperty("slimimage.projectRoot");
    if (configured != null && Files.isDirectory(Path.of(configured, "deploy"))) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("deploy")) && Files.isDirectory(p.resolve("operator"))) {
        return p;
      }
    }
    throw new IllegalStateException("no checkout root (with deploy/ and operator/) above " + Path.of("").toAbsolutePath());
  }

  public static Path resolve(String relative) {
    return get().resolve(relative);
  }
}
