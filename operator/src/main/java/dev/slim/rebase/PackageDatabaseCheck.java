package dev.slim.rebase;

import dev.slim.registry.Descriptor;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.LayerArchive;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Finds app layers that write or white out the base's OS package database. After a re-base such
 * a layer would hide the new base's packages from vulnerability scanners, which read the
 * database, so the image would look unpatched (or patched when it is not).
 *
 * <p>Reading a layer means downloading it, so each layer digest is read once per instance: the
 * operator keeps one instance, and a new base re-checks none of the app's layers.
 */
public final class PackageDatabaseCheck {

  /** What to do when an app layer touches the package database. */
  public enum Policy {
    /** Re-base, and report a warning naming the layer and the path. */
    WARN,
    /** Refuse: nothing is pushed (exit 3, or Stalled in the operator). */
    REFUSE,
    /** Do not read app layers at all. */
    OFF;

    public static Policy parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + text + "' is not a package database policy: expected warn, refuse or off");
      }
    }
  }

  /** Files and directories (ending in /) of the dpkg, apk and rpm databases, without a leading slash. */
  static final List<String> DATABASES = List.of(
      "var/lib/dpkg/status", "var/lib/dpkg/status.d/", "lib/apk/db/installed", "var/lib/rpm/", "usr/lib/sysimage/rpm/");

  private static final int CACHED_LAYERS = 4096;

  private final Policy policy;
  private final Map<Digest, Optional<String>> touched = Collections.synchronizedMap(
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Digest, Optional<String>> eldest) {
          return size() > CACHED_LAYERS;
        }
      });

  public PackageDatabaseCheck(Policy policy) {
    this.policy = policy;
  }

  public Policy policy() {
    return policy;
  }

  /**
   * Checks the app's own layers (those above its base). Returns warnings under {@link
   * Policy#WARN}; throws under {@link Policy#REFUSE}.
   */
  List<String> check(ImageRegistry registry, ImageRef app, List<Descriptor> appLayers) {
    if (policy == Policy.OFF) {
      return List.of();
    }
    List<String> warnings = new ArrayList<>();
    for (Descriptor layer : appLayers) {
      // Looked up and stored apart, so concurrent reconciles never wait on each other's downloads.
      Optional<String> path = touched.get(layer.digest());
      if (path == null) {
        path = scan(registry, app, layer.digest(), warnings);
        if (path == null) {
          continue;
        }
        touched.put(layer.digest(), path);
      }
      if (path.isEmpty()) {
        continue;
      }
      String message = "app layer " + layer.digest() + " of " + app + " writes " + path.get()
          + ", the base's package database: after the re-base, scanners would see that layer's copy, not the"
          + " new base's packages; rebuild the app without touching it";
      if (policy == Policy.REFUSE) {
        throw new RebaseException(RebaseException.PACKAGE_DATABASE_OVERWRITTEN, message);
      }
      warnings.add(message);
    }
    return warnings;
  }

  /** The database path the layer touches, empty when none, null when the layer cannot be read. */
  private static Optional<String> scan(ImageRegistry registry, ImageRef app, Digest digest, List<String> warnings) {
    try (InputStream blob = registry.openBlob(app, digest); TarArchiveInputStream tar = LayerArchive.open(blob)) {
      for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
        Optional<String> hit = touchedBy(entry.getName());
        if (hit.isPresent()) {
          return hit;
        }
      }
      return Optional.empty();
    } catch (LayerArchive.UnsupportedCompressionException e) {
      warnings.add("app layer " + digest + " was not checked for package database changes: " + e.getMessage());
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read app layer " + digest + " of " + app, e);
    }
  }

  /** The database path a tar entry writes, deletes (whiteout) or hides (opaque directory), if any. */
  static Optional<String> touchedBy(String entryName) {
    String path = entryName.startsWith("./") ? entryName.substring(2) : entryName;
    path = path.startsWith("/") ? path.substring(1) : path;
    int slash = path.lastIndexOf('/', path.length() - 2);
    String dir = path.substring(0, slash + 1);
    String name = path.substring(slash + 1);
    if (name.equals(".wh..wh..opq")) {
      for (String db : DATABASES) {
        if (db.startsWith(dir)) {
          return Optional.of("/" + dir + " (opaque: hides the base's copy)");
        }
      }
      return Optional.empty();
    }
    boolean whiteout = name.startsWith(".wh.");
    String target = whiteout ? dir + name.substring(4) : path;
    for (String db : DATABASES) {
      boolean hit = db.endsWith("/")
          ? target.startsWith(db) || (target + "/").equals(db)
          : target.equals(db) || target.equals(db + "/");
      if (hit) {
        return Optional.of("/" + target + (whiteout ? " (whiteout: deletes the base's copy)" : ""));
      }
    }
    return Optional.empty();
  }
}
