package dev.slim.rebase;

/**
 * A re-base that cannot or must not be done with these inputs; retrying will not help, a human
 * must change something. The message says what and how; the reason is a stable constant.
 */
public class RebaseException extends RuntimeException {

  /** No old base given and the app carries no base annotations. */
  public static final String OLD_BASE_UNKNOWN = "OldBaseUnknown";
  /** The old base's layers are not a prefix of the app's layers. */
  public static final String NOT_BASED_ON_OLD_BASE = "NotBasedOnOldBase";
  /** The new base's os/architecture/variant differ from the app's. */
  public static final String PLATFORM_MISMATCH = "PlatformMismatch";
  /** A platform of a multi-platform app has no match in the new base. */
  public static final String PLATFORM_MISSING = "PlatformMissing";
  /** An image is malformed: a manifest or config lacks what every image has. */
  public static final String INVALID_IMAGE = "InvalidImage";
  /** An app layer rewrites the base's package database, hiding base updates from scanners. */
  public static final String PACKAGE_DATABASE_OVERWRITTEN = "PackageDatabaseOverwritten";

  private final String reason;

  public RebaseException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
