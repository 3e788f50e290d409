package dev.slim.rebase;

import dev.slim.registry.ImageRef;
import dev.slim.registry.Platform;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One re-base to perform: the app as built, the base to move it onto, and where the result goes.
 *
 * @param app the app image (tag or digest)
 * @param newBase the base to sit on; its digest is resolved at rebase time unless given
 * @param oldBase the base the app was built on; empty to read the app's base annotations
 * @param target where the result is pushed: with a tag to tag it, without to push by digest
 * @param platforms platforms of a multi-platform app to keep; empty keeps all of them
 */
public record RebaseRequest(
    ImageRef app, ImageRef newBase, Optional<ImageRef> oldBase, ImageRef target, List<Platform> platforms) {

  public RebaseRequest {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(newBase, "newBase");
    Objects.requireNonNull(oldBase, "oldBase");
    Objects.requireNonNull(target, "target");
    platforms = List.copyOf(platforms);
  }
}
