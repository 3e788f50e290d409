package dev.slim.cli;

import dev.slim.registry.DockerConfig;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.RegistryOptions;
import dev.slim.registry.LayeredImageBuilder;
import dev.slim.registry.jib.JibImageRegistry;
import dev.slim.registry.jib.JibLayeredImageBuilder;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The registry options every CLI command shares: plain-HTTP hosts, with credentials from the
 * Docker config. Mixed into each command so they read the same on every command's help.
 */
public final class RegistryAccess {

  /** Comma-separated hosts allowed over plain HTTP, also read by the operator. */
  public static final String INSECURE_ENV = "SLIMIMAGE_INSECURE_REGISTRIES";

  @Option(
      names = "--insecure-registry",
      paramLabel = "HOST[:PORT]",
      description =
          "Reach this registry over plain HTTP (repeatable). Also read from "
              + INSECURE_ENV + " (comma-separated). All other registries use HTTPS.")
  List<String> insecureRegistries = List.of();

  /** A registry client with the Docker config's credentials ($DOCKER_CONFIG or ~/.docker). */
  public ImageRegistry open() {
    return new JibImageRegistry(DockerConfig.load(), RegistryOptions.defaults(insecureHosts()));
  }

  /** An image builder (jib) with the same credentials and plain-HTTP hosts, for shrink. */
  public LayeredImageBuilder openBuilder() {
    return new JibLayeredImageBuilder(DockerConfig.load(), RegistryOptions.defaults(insecureHosts()));
  }

  Set<String> insecureHosts() {
    Set<String> hosts = new LinkedHashSet<>(insecureRegistries);
    String env = System.getenv(INSECURE_ENV);
    if (env != null) {
      Arrays.stream(env.split(",")).map(String::trim).filter(h -> !h.isEmpty()).forEach(hosts::add);
    }
    return hosts;
  }
}
