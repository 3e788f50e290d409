package dev.slim.registry;

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

  public RegistryException(Kind kind, String registry, String image, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.registry = registry;
    this.image = image;
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

  public boolean retryable() {
    return kind == Kind.UNREACHABLE;
  }
}
