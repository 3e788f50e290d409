package dev.slim.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slim.registry.Descriptor;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.Manifest;
import dev.slim.registry.Platform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An image or index {@link TestImages} pushed: its tagged reference, digest, manifest bytes and,
 * for an image, config bytes and layer descriptors ({@code config} is null for an index).
 */
public record PushedImage(
    ImageRef ref, Digest digest, String mediaType, byte[] manifest, byte[] config, List<Descriptor> layers) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The reference by digest, {@code registry/repo@sha256:...}. */
  public ImageRef pinned() {
    return ref.repositoryOnly().withDigest(digest);
  }

  public Manifest asManifest() {
    return Manifest.of(mediaType, manifest);
  }

  public JsonNode configJson() {
    return read(config);
  }

  public JsonNode manifestJson() {
    return read(manifest);
  }

  public List<Digest> diffIds() {
    List<Digest> ids = new ArrayList<>();
    configJson().path("rootfs").path("diff_ids").forEach(n -> ids.add(Digest.parse(n.asText())));
    return ids;
  }

  public Platform platform() {
    JsonNode c = configJson();
    return new Platform(c.path("os").asText(), c.path("architecture").asText(), c.path("variant").asText(null));
  }

  private static JsonNode read(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
