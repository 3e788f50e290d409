package dev.slim.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Loads registry logins for the CLI from the Docker config file, as {@code docker login} writes it. */
public final class DockerConfig {

  private DockerConfig() {}

  /** {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}; anonymous when absent. */
  public static RegistryCredentials load() {
    return load(System.getenv(), System.getProperty("user.home"));
  }

  static RegistryCredentials load(Map<String, String> env, String userHome) {
    return load(location(env, userHome));
  }

  /** The logins in one config file, anonymous when there is no such file. */
  public static RegistryCredentials load(Path file) {
    if (!Files.isRegularFile(file)) {
      return RegistryCredentials.anonymous();
    }
    try {
      return RegistryCredentials.fromDockerConfig(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Docker config " + file + ": " + e.getMessage(), e);
    }
  }

  static Path location(Map<String, String> env, String userHome) {
    String dir = env.get("DOCKER_CONFIG");
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir, "config.json");
    }
    return Path.of(userHome, ".docker", "config.json");
  }
}
