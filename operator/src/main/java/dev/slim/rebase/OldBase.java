package dev.slim.rebase;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.InvalidReferenceException;
import dev.slim.registry.Manifest;

/** Finds the base an app was built on from the OCI base-image annotations its build left behind. */
final class OldBase {

  private OldBase() {}

  /**
   * The base named by {@code org.opencontainers.image.base.name} (pinned to {@code .base.digest}
   * when present) on the app's manifest, else on its index.
   */
  static ImageRef fromAnnotations(Manifest app, Manifest appIndex, ImageRef appRef) {
    for (Manifest m : appIndex == null ? new Manifest[] {app} : new Manifest[] {app, appIndex}) {
      JsonNode annotations = m.json().path("annotations");
      String name = annotations.path(RebasePlanner.BASE_NAME).asText("");
      if (name.isEmpty()) {
        continue;
      }
      String digest = annotations.path(RebasePlanner.BASE_DIGEST).asText("");
      try {
        ImageRef ref = ImageRef.parse(name);
        return digest.isEmpty() ? ref : ref.withDigest(Digest.parse(digest));
      } catch (InvalidReferenceException e) {
        throw new RebaseException(RebaseException.OLD_BASE_UNKNOWN,
            "the app's base annotations do not name an image (" + e.getMessage() + "); give the old base with --old-base or spec.app.oldBase");
      }
    }
    throw new RebaseException(RebaseException.OLD_BASE_UNKNOWN,
        "cannot tell which base " + appRef + " was built on: it has no " + RebasePlanner.BASE_NAME
            + " annotation; give the old base with --old-base (CLI) or spec.app.oldBase (SlimImage)");
  }
}
