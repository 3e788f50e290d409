package dev.slim.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Seeds small images into an {@link InMemoryImageRegistry}: layers are stand-in bytes (the
 * engine never opens them), configs and manifests are real JSON, so everything above the port
 * can be tested without a registry process.
 */
public final class FakeImages {

  /** A seeded image: where it is, its manifest, and its config. */
  public record Image(ImageRef ref, Manifest manifest, ObjectNode config) {
    public Digest digest() {
      return manifest.digest();
    }

    public ImageRef pinned() {
      return ref.withDigest(manifest.digest());
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final InMemoryImageRegistry registry;

  public FakeImages(InMemoryImageRegistry registry) {
    this.registry = registry;
  }

  /** A base image with the given layers (named by content), env and platform. */
  public Image base(String ref, String platform, List<String> layers, Map<String, String> env) {
    ObjectNode config = config(platform);
    env.forEach((k, v) -> config.with("config").withArray("Env").add(k + "=" + v));
    layers.forEach(layer -> config.withArray("history").addObject().put("created_by", "ADD " + layer));
    return push(ImageRef.parse(ref), config, JSON.createArrayNode(), layers, Map.of());
  }

  /** An app built on {@code base}: its layers and history plus {@code appLayers}, with base annotations. */
  public Image app(String ref, Image base, List<String> appLayers) {
    ObjectNode config = base.config().deepCopy();
    config.with("config").withArray("Env").add("APP=1");
    for (String layer : appLayers) {
      config.withArray("history").addObject().put("created_by", "COPY " + layer);
    }
    ArrayNode baseLayers = (ArrayNode) base.manifest().json().get("layers");
    return push(ImageRef.parse(ref), config, baseLayers, appLayers,
        Map.of("org.opencontainers.image.base.name", base.ref().withDigest(null).toString(),
            "org.opencontainers.image.base.digest", base.digest().value()));
  }

  /** An OCI index over already seeded images, pushed under {@code ref}. */
  public Manifest index(String ref, Image... children) {
    ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
    for (Image child : children) {
      ObjectNode entry = index.withArray("manifests").addObject()
          .put("mediaType", child.manifest().mediaType())
          .put("digest", child.digest().value())
          .put("size", child.manifest().bytes().length);
      entry.putObject("platform")
          .put("os", child.config().get("os").asText())
          .put("architecture", child.config().get("architecture").asText());
    }
    Manifest manifest = Manifest.of(MediaTypes.OCI_INDEX, bytes(index));
    registry.putManifest(ImageRef.parse(ref), manifest);
    return manifest;
  }

  private Image push(ImageRef ref, ObjectNode config, ArrayNode inheritedLayers, List<String> layers, Map<String, String> annotations) {
    ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST);
    ArrayNode descriptors = manifest.putArray("layers");
    descriptors.addAll(inheritedLayers);
    for (String layer : layers) {
      byte[] gz = ("gz:" + layer).getBytes(StandardCharsets.UTF_8);
      Digest digest = registry.putBlob(ref, gz);
      descriptors.addObject().put("mediaType", MediaTypes.OCI_LAYER).put("digest", digest.value()).put("size", gz.length);
      config.with("rootfs").put("type", "layers").withArray("diff_ids")
          .add(Digest.of(("tar:" + layer).getBytes(StandardCharsets.UTF_8)).value());
    }
    byte[] configBytes = bytes(config);
    Digest configDigest = registry.putBlob(ref, configBytes);
    manifest.putObject("config").put("mediaType", MediaTypes.OCI_CONFIG).put("digest", configDigest.value()).put("size", configBytes.length);
    manifest.set("layers", manifest.remove("layers"));
    if (!annotations.isEmpty()) {
      ObjectNode a = manifest.putObject("annotations");
      annotations.forEach(a::put);
    }
    Manifest m = Manifest.of(MediaTypes.OCI_MANIFEST, bytes(manifest));
    registry.putManifest(ref, m);
    return new Image(ref, m, config);
  }

  private static ObjectNode config(String platform) {
    Platform p = Platform.parse(platform);
    ObjectNode config = JSON.createObjectNode().put("architecture", p.architecture()).put("os", p.os());
    config.putObject("config");
    config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
    config.putArray("history");
    return config;
  }

  private static byte[] bytes(ObjectNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
