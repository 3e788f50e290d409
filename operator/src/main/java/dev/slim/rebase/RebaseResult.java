package dev.slim.rebase;

import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.Platform;
import java.util.List;

/**
 * What a re-base produced, as printed by the CLI and recorded in a SlimImage's status.
 *
 * @param image the pushed result as {@code target-repository@digest}
 * @param digest the pushed manifest's (or index's) digest, read back from the registry
 * @param baseDigest the new base as resolved: the index digest when the base is an index
 * @param platforms one entry per platform manifest pushed
 * @param bytesUploaded bytes sent to the target registry (configs, manifests, streamed layers)
 * @param blobsUploaded blobs uploaded (configs, and layers streamed across registries)
 * @param blobsMounted layers mounted from another repository of the same registry
 * @param warnings what was done but deserves a look, e.g. an app layer rewriting the package database
 */
public record RebaseResult(
    ImageRef image,
    Digest digest,
    Digest baseDigest,
    List<PlatformImage> platforms,
    long bytesUploaded,
    int blobsUploaded,
    int blobsMounted,
    long durationMillis,
    List<String> warnings) {

  /** One platform's manifest in the result. */
  public record PlatformImage(Platform platform, Digest digest) {}

  public RebaseResult {
    platforms = List.copyOf(platforms);
    warnings = List.copyOf(warnings);
  }
}
