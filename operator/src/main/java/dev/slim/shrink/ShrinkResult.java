package dev.slim.shrink;

import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.Platform;
import java.util.List;

/**
 * What a shrink produced, as printed by the CLI and recorded in a SlimImage's status.
 *
 * @param image the pushed result as {@code target-repository@digest}
 * @param digest the pushed manifest's digest, read back from the registry
 * @param baseDigest the slim base as resolved: the index digest when the base is an index
 * @param platform the platform shrunk
 * @param report sizes and packages before and after
 * @param bytesUploaded bytes sent to the target registry (app layers only when they are new)
 * @param blobsUploaded blobs uploaded
 * @param envDropped app Env variables left behind because the fat base defined them
 * @param warnings what the user should know: overridden entrypoint problems, dropped file modes
 */
public record ShrinkResult(
    ImageRef image,
    Digest digest,
    Digest baseDigest,
    Platform platform,
    ShrinkReport report,
    long bytesUploaded,
    int blobsUploaded,
    List<String> envDropped,
    List<String> warnings,
    long durationMillis) {

  public ShrinkResult {
    envDropped = List.copyOf(envDropped);
    warnings = List.copyOf(warnings);
  }
}
