package dev.slim.registry;

import java.time.Duration;
import java.util.Optional;

/**
 * A registry request that failed, naming the registry and the image so a user knows where to
 * look. Only {@link Kind#UNREACHABLE} is worth retrying; the others need a human.
 */
public class RegistryException extends RuntimeException {

  /** Why the request failed. */
  public enum Kind {
    /** Connection refused, timeout, 5xx or 429 after the client's own retries. */
    UNREACHABLE,
    /** 401 or 403: missing or wrong credentials, or no permission on the repository. */
    UNAUTHORIZED,
    /** 404: the repository, tag, digest or blob does not exist. */
    NOT_FOUND,
    /** Any other 4xx: the registry refused what we sent. */
    REJECTED
  }

  private final Kind kind;
  private final String registry;
  private final String image;
  private final Duration retryAfter;

  /**
   * @param retryAfter the registry's last Retry-After (429/503), so a poller can leave that
   *     registry alone for as long as it asked; null when it sent none
   */
  public RegistryException(
      Kind kind, String registry, String image, String message, Throwable cause, Duration retryAfter) {
    super(message, cause);
    this.kind = kind;
    this.registry = registry;
    this.image = image;
    this.retryAfter = retryAfter;
  }

  public RegistryException(Kind kind, String registry, String image, String message, Throwable cause) {
    this(kind, registry, image, message, cause, null);
  }

  public RegistryException(Kind kind, String registry, String image, String message) {
    this(kind, registry, image, message, null);
  }

  public Kind kind() {
    return kind;
  }

  public String registry() {
    return registry;
  }

  public String image() {
    return image;
  }

  /** How long the registry asked us to wait, when it said (Retry-After on 429 or 503). */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  public boolean retryable() {
    return kind == Kind.UNREACHABLE;
  }
}
