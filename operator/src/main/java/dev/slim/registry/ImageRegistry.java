package dev.slim.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The port through which the engine talks to registries. Implementations retry transient
 * failures themselves and throw {@link RegistryException} naming the registry and image.
 * Close an instance when its work (one rebase, one reconcile) is done: it may hold connections.
 */
public interface ImageRegistry extends AutoCloseable {

  /**
   * The digest a reference points to now, from a HEAD request's Docker-Content-Digest header
   * (a GET and hash only when the registry omits it). Cheap enough to poll.
   */
  Digest resolve(ImageRef ref);

  /** The manifest or index a reference points to, bytes untouched. */
  Manifest pullManifest(ImageRef ref);

  /** A small blob (an image config) read whole into memory. */
  byte[] pullBlob(ImageRef repository, Digest digest);

  /** The config of an image manifest, parsed. */
  default JsonNode pullConfig(ImageRef repository, Manifest manifest) {
    Digest digest = Digest.parse(manifest.json().path("config").path("digest").asText());
    try {
      return new ObjectMapper().readTree(pullBlob(repository, digest));
    } catch (IOException e) {
      throw new UncheckedIOException("config " + digest + " of " + repository + " is not JSON", e);
    }
  }

  /**
   * A blob of any size (a layer) as a stream the caller closes: layers can be hundreds of
   * megabytes, so they are never held in memory whole. The bytes are as stored (compressed).
   */
  InputStream openBlob(ImageRef repository, Digest digest);

  /**
   * Makes a blob present in {@code target}'s repository: nothing when it is already there, a
   * cross-repository mount within one registry, a streamed copy across registries.
   */
  BlobTransfer copyBlob(ImageRef source, ImageRef target, Descriptor blob);

  /** Uploads a small blob (an image config) unless the target repository already has it. */
  BlobTransfer pushBlob(ImageRef target, byte[] content);

  /**
   * Pushes a manifest under {@code target}'s tag, or by its digest when the target has no tag,
   * and returns the digest the registry reports.
   */
  Digest pushManifest(ImageRef target, Manifest manifest);

  /** Releases connections; a closed instance must not be used again. */
  @Override
  default void close() {}
}
