package dev.slim.registry;

import java.util.Objects;

/** An image platform (os/architecture[/variant]) as written in configs and index entries. */
public record Platform(String os, String architecture, String variant) {

  public Platform {
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(architecture, "architecture");
    variant = variant == null || variant.isEmpty() ? null : variant;
  }

  /** Parses {@code os/arch[/variant]}, the form used on the command line. */
  public static Platform parse(String text) {
    String[] parts = text == null ? new String[0] : text.split("/", -1);
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new InvalidReferenceException(
          "'" + text + "' is not a platform: expected OS/ARCH or OS/ARCH/VARIANT, e.g. linux/arm64/v8");
    }
    return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
  }

  /**
   * True when both name the same platform. An absent variant matches the conventional default
   * (arm64 images are often published without "v8"), so a base and an app that spell it
   * differently still line up.
   */
  public boolean matches(Platform other) {
    return os.equals(other.os)
        && architecture.equals(other.architecture)
        && Objects.equals(normalVariant(), other.normalVariant());
  }

  private String normalVariant() {
    if (variant == null && "arm64".equals(architecture)) {
      return "v8";
    }
    return variant;
  }

  @Override
  public String toString() {
    return variant == null ? os + "/" + architecture : os + "/" + architecture + "/" + variant;
  }
}
