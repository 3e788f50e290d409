package dev.slim.registry;

import java.time.Duration;
import java.util.Set;

/**
 * How an {@link ImageRegistry} reaches registries: which hosts speak plain HTTP, how hard to
 * retry transient failures, and who hears about each request (metrics).
 *
 * @param insecureRegistries hosts (host or host:port) reached over plain HTTP; all others use TLS
 * @param maxAttempts attempts per request for connection errors, 5xx and 429 (at least 1)
 * @param maxBackoff cap on the wait between attempts, and on an honoured Retry-After
 * @param observer told the outcome of every request
 */
public record RegistryOptions(
    Set<String> insecureRegistries, int maxAttempts, Duration maxBackoff, RequestObserver observer) {

  /** Hears one line per registry request, e.g. to count them by registry, operation and code. */
  @FunctionalInterface
  public interface RequestObserver {
    /**
     * @param operation one of {@code head_manifest}, {@code get_manifest}, {@code put_manifest},
     *     {@code head_blob}, {@code get_blob}, {@code mount_blob}, {@code put_blob} (each request of
     *     an upload), or {@code auth} (the {@code /v2/} probe, and token requests reported under
     *     the token service's host)
     * @param code the HTTP status as text, or {@code error} when no response came back
     */
    void requested(String registry, String operation, String code);

    RequestObserver NONE = (registry, operation, code) -> {};
  }

  public RegistryOptions {
    insecureRegistries = Set.copyOf(insecureRegistries);
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
  }

  public static RegistryOptions defaults(Set<String> insecureRegistries) {
    return new RegistryOptions(insecureRegistries, 4, Duration.ofSeconds(30), RequestObserver.NONE);
  }

  public RegistryOptions withObserver(RequestObserver newObserver) {
    return new RegistryOptions(insecureRegistries, maxAttempts, maxBackoff, newObserver);
  }

  public boolean isInsecure(String registry) {
    return insecureRegistries.contains(registry);
  }
}
