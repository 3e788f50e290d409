package dev.slim.shrink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slim.rebase.RebasePlanner;
import dev.slim.registry.BlobTransfer;
import dev.slim.registry.Descriptor;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.Manifest;
import dev.slim.registry.MediaTypes;
import dev.slim.registry.RegistryException;
import java.util.List;

/**
 * The slim base plus one layer of the app's symlinks, pushed untagged (by digest) into the
 * target repository so jib can build the app's file layers on it: jib's file layers cannot hold
 * symlinks. Deterministic, so a repeated shrink finds it already there.
 *
 * @param ref the pushed image, {@code target-repository@digest}
 * @param bytes bytes uploaded to push it (zero when the target already held everything)
 * @param blobs blobs uploaded
 */
public record SymlinkBase(ImageRef ref, long bytes, int blobs) {

  public static SymlinkBase push(
      ImageRegistry registry, ImageRef slimRef, Manifest slim, JsonNode slimConfig, List<AppFiles.Link> links, ShrinkRequest request) {
    ImageRef target = request.target().repositoryOnly();
    long bytes = 0;
    int blobs = 0;
    for (JsonNode layer : slim.json().path("layers")) {
      BlobTransfer t = registry.copyBlob(slimRef, target,
          new Descriptor(layer.path("mediaType").asText(), Digest.parse(layer.path("digest").asText()), layer.path("size").asLong()));
      bytes += t.bytesUploaded();
      blobs += t.kind() == BlobTransfer.Kind.UPLOADED ? 1 : 0;
    }
    SymlinkLayer layer = SymlinkLayer.of(links);
    BlobTransfer t = registry.pushBlob(target, layer.compressed());
    bytes += t.bytesUploaded();
    blobs += t.kind() == BlobTransfer.Kind.UPLOADED ? 1 : 0;

    ObjectNode config = ((ObjectNode) slimConfig).deepCopy();
    config.with("rootfs").put("type", "layers").withArray("diff_ids").add(layer.diffId().value());
    if (config.has("history")) {
      config.withArray("history").addObject()
          .put("created_by", "slimimage shrink: symlinks under " + String.join(" ", request.paths()))
          .put("comment", "symlinks of the app, which file layers cannot hold");
    }
    byte[] configBytes = RebasePlanner.serialize(config);
    t = registry.pushBlob(target, configBytes);
    bytes += t.bytesUploaded();
    blobs += t.kind() == BlobTransfer.Kind.UPLOADED ? 1 : 0;

    ObjectNode manifest = ((ObjectNode) slim.json()).deepCopy();
    ((ObjectNode) manifest.get("config")).put("digest", Digest.of(configBytes).value()).put("size", configBytes.length);
    boolean oci = MediaTypes.OCI_MANIFEST.equals(slim.mediaType());
    ((ArrayNode) manifest.withArray("layers")).addObject()
        .put("mediaType", oci ? MediaTypes.OCI_LAYER : MediaTypes.DOCKER_LAYER)
        .put("digest", Digest.of(layer.compressed()).value())
        .put("size", layer.compressed().length);
    Manifest image = Manifest.of(slim.mediaType(), RebasePlanner.serialize(manifest));
    ImageRef pinned = target.withDigest(image.digest());
    if (!exists(registry, pinned)) {
      registry.pushManifest(target, image);
      bytes += image.bytes().length;
    }
    return new SymlinkBase(pinned, bytes, blobs);
  }

  private static boolean exists(ImageRegistry registry, ImageRef pinned) {
    try {
      registry.resolve(pinned);
      return true;
    } catch (RegistryException e) {
      if (e.kind() == RegistryException.Kind.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }
}
