package dev.slim.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slim.registry.Descriptor;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.MediaTypes;
import dev.slim.registry.Platform;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An image to push, built up call by call: platform, config (Env, User, WorkingDir, Entrypoint,
 * Cmd, Labels, ExposedPorts), layers with history, manifest family and annotations. Start from
 * {@link TestImages#image()} or, for an app on a base, {@link TestImages#on(PushedImage)}, which
 * starts from the base's config, diff_ids, history and layers.
 */
public final class ImageSpec {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final TestImages images;
  private final ObjectNode config;
  private final List<Descriptor> layers = new ArrayList<>();
  /** Layers this spec must upload; inherited base layers are mounted from {@link #baseRepo}. */
  private final Map<Digest, byte[]> newLayers = new LinkedHashMap<>();
  private final Map<String, String> annotations = new LinkedHashMap<>();
  private final String baseRepo;
  private boolean oci = true;

  ImageSpec(TestImages images) {
    this.images = images;
    this.baseRepo = null;
    this.config = JSON.createObjectNode();
    config.put("architecture", "amd64");
    config.put("os", "linux");
    config.putObject("config");
    config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
    config.putArray("history");
  }

  ImageSpec(TestImages images, PushedImage base) {
    this.images = images;
    this.baseRepo = base.ref().repository();
    this.config = (ObjectNode) base.configJson().deepCopy();
    this.layers.addAll(base.layers());
    this.oci = MediaTypes.OCI_MANIFEST.equals(base.mediaType());
  }

  public ImageSpec platform(String osArchVariant) {
    Platform p = Platform.parse(osArchVariant);
    config.put("architecture", p.architecture());
    config.put("os", p.os());
    if (p.variant() != null) {
      config.put("variant", p.variant());
    } else {
      config.remove("variant");
    }
    return this;
  }

  /** Sets {@code NAME=VALUE}, replacing an earlier value of NAME (also an inherited one). */
  public ImageSpec env(String nameEqualsValue) {
    String name = nameEqualsValue.substring(0, nameEqualsValue.indexOf('=') + 1);
    ArrayNode env = section().withArray("Env");
    for (int i = 0; i < env.size(); i++) {
      if (env.get(i).asText().startsWith(name)) {
        env.set(i, nameEqualsValue);
        return this;
      }
    }
    env.add(nameEqualsValue);
    return this;
  }

  public ImageSpec user(String user) {
    section().put("User", user);
    return this;
  }

  public ImageSpec workingDir(String dir) {
    section().put("WorkingDir", dir);
    return this;
  }

  public ImageSpec entrypoint(String... args) {
    strings(section().putArray("Entrypoint"), args);
    return this;
  }

  public ImageSpec cmd(String... args) {
    strings(section().putArray("Cmd"), args);
    return this;
  }

  public ImageSpec label(String key, String value) {
    section().withObject("Labels").put(key, value);
    return this;
  }

  /** E.g. {@code "8080/tcp"}. */
  public ImageSpec exposedPort(String port) {
    section().withObject("ExposedPorts").putObject(port);
    return this;
  }

  /** Appends a layer and a history entry created by {@code createdBy}. */
  public ImageSpec layer(Layer layer, String createdBy) {
    return layer(layer).history(createdBy, false);
  }

  /** Appends a layer (its diff_id too) without a history entry; add one with {@link #history}. */
  public ImageSpec layer(Layer layer) {
    String type = oci ? MediaTypes.OCI_LAYER : MediaTypes.DOCKER_LAYER;
    layers.add(new Descriptor(type, layer.digest(), layer.size()));
    newLayers.put(layer.digest(), layer.gzip());
    config.withObject("rootfs").withArray("diff_ids").add(layer.diffId().value());
    return this;
  }

  /** Appends a history entry; {@code emptyLayer} for instructions such as ENV that add no layer. */
  public ImageSpec history(String createdBy, boolean emptyLayer) {
    ObjectNode h = config.withArray("history").addObject().put("created_by", createdBy);
    if (emptyLayer) {
      h.put("empty_layer", true);
    }
    return this;
  }

  /** OCI manifest and config media types (the default for a new image). */
  public ImageSpec oci() {
    return family(true);
  }

  /** Docker v2 schema 2 manifest and config media types. */
  public ImageSpec docker() {
    return family(false);
  }

  public ImageSpec annotation(String key, String value) {
    annotations.put(key, value);
    return this;
  }

  /** Pushes layers, config and manifest to {@code repo:tag} on the TestImages registry. */
  public PushedImage push(String repoColonTag) {
    ImageRef ref = ImageRef.parse(images.host() + "/" + repoColonTag);
    byte[] configBytes = json(config);
    for (Descriptor d : layers) {
      byte[] content = newLayers.get(d.digest());
      if (content != null) {
        images.http().putBlob(ref.repository(), content);
      } else {
        images.http().copyBlob(ref.repository(), d.digest(), baseRepo, () -> images.http().getBlob(baseRepo, d.digest()));
      }
    }
    images.http().putBlob(ref.repository(), configBytes);
    ObjectNode m = JSON.createObjectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", oci ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_MANIFEST);
    descriptor(m.putObject("config"), oci ? MediaTypes.OCI_CONFIG : MediaTypes.DOCKER_CONFIG, Digest.of(configBytes), configBytes.length);
    ArrayNode ls = m.putArray("layers");
    layers.forEach(d -> descriptor(ls.addObject(), d.mediaType(), d.digest(), d.size()));
    if (!annotations.isEmpty()) {
      ObjectNode a = m.putObject("annotations");
      annotations.forEach(a::put);
    }
    byte[] manifest = json(m);
    String mediaType = m.get("mediaType").asText();
    images.http().putManifest(ref.repository(), ref.tag(), mediaType, manifest);
    return new PushedImage(ref, Digest.of(manifest), mediaType, manifest, configBytes, List.copyOf(layers));
  }

  private ImageSpec family(boolean useOci) {
    this.oci = useOci;
    // Layers added by this spec follow the family; inherited ones keep the base's media type.
    for (int i = 0; i < layers.size(); i++) {
      Descriptor d = layers.get(i);
      if (newLayers.containsKey(d.digest())) {
        layers.set(i, new Descriptor(useOci ? MediaTypes.OCI_LAYER : MediaTypes.DOCKER_LAYER, d.digest(), d.size()));
      }
    }
    return this;
  }

  private ObjectNode section() {
    return config.withObject("config");
  }

  private static void strings(ArrayNode array, String... values) {
    for (String v : values) {
      array.add(v);
    }
  }

  static void descriptor(ObjectNode node, String mediaType, Digest digest, long size) {
    node.put("mediaType", mediaType).put("digest", digest.value()).put("size", size);
  }

  static byte[] json(JsonNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }
}
