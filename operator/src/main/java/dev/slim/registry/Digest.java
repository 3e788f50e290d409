package dev.slim.registry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A content digest such as {@code sha256:<64 hex>}, the identity of every blob and manifest. */
public record Digest(String value) {

  private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");

  public Digest {
    if (value == null || !SHA256.matcher(value).matches()) {
      throw new InvalidReferenceException(
          "'" + value + "' is not a digest: expected sha256: followed by 64 lowercase hex digits");
    }
  }

  public static Digest parse(String value) {
    return new Digest(value);
  }

  /** The sha256 digest of some bytes, as a registry computes it for a pushed blob or manifest. */
  public static Digest of(byte[] content) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(content);
      return new Digest("sha256:" + HexFormat.of().formatHex(hash));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  public String hex() {
    return value.substring("sha256:".length());
  }

  /** The first {@code n} hex digits: enough to tell digests apart in tags and printer columns. */
  public String shortHex(int n) {
    return hex().substring(0, n);
  }

  @Override
  public String toString() {
    return value;
  }
}
