package dev.slim.rebase;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slim.registry.Digest;
import dev.slim.registry.MediaTypes;
import dev.slim.registry.Platform;
import java.util.List;

/**
 * Computes a re-based image's config and manifest from the app, its old base and the new base:
 * a pure function of JSON, no I/O and no clock, so the same inputs always give the same digest.
 *
 * <p>Input: {@code {"app": IMAGE, "oldBase": IMAGE, "newBase": IMAGE, "newBaseName": "REF",
 * "newBaseDigest": "sha256:..."}} where IMAGE is {@code {"manifest": {...}, "config": {...}}}
 * of one platform. Output: {@code {"manifest": {...}, "config": {...}}}; the manifest's config
 * descriptor points at {@link #serialize(JsonNode) serialize(config)}.
 */
public final class RebasePlanner {

  public static final String BASE_NAME = "org.opencontainers.image.base.name";
  public static final String BASE_DIGEST = "org.opencontainers.image.base.digest";

  private static final ObjectMapper JSON = new ObjectMapper();

  private RebasePlanner() {}

  public static ObjectNode plan(JsonNode input) {
    JsonNode app = input.path("app");
    JsonNode oldBase = input.path("oldBase");
    JsonNode newBase = input.path("newBase");
    JsonNode appManifest = imageManifest(app, "app");
    JsonNode oldManifest = imageManifest(oldBase, "old base");
    JsonNode newManifest = imageManifest(newBase, "new base");
    JsonNode appConfig = app.path("config");
    JsonNode oldConfig = oldBase.path("config");
    JsonNode newConfig = newBase.path("config");

    int baseLayers = checkPrefix(appManifest, appConfig, oldManifest, oldConfig);
    checkPlatform(appConfig, newConfig);

    ObjectNode config = rebasedConfig(appConfig, oldConfig, newConfig, baseLayers);
    byte[] configBytes = serialize(config);
    ObjectNode manifest = rebasedManifest(appManifest, newManifest, baseLayers, configBytes, input);

    ObjectNode out = JSON.createObjectNode();
    out.set("manifest", manifest);
    out.set("config", config);
    return out;
  }

  /**
   * The index of a re-based multi-platform app: the app's index with each re-based child's
   * entry pointing at its new manifest (platform and annotations kept), children not re-based
   * left out, and the base annotations set.
   *
   * <p>Input: {@code {"index": {...}, "children": [{"from": OLD, "digest": NEW, "size": N}],
   * "newBaseName": "REF", "newBaseDigest": "sha256:..."}}.
   */
  public static ObjectNode planIndex(JsonNode input) {
    ObjectNode index = ((ObjectNode) input.get("index")).deepCopy();
    ArrayNode manifests = JSON.createArrayNode();
    for (JsonNode child : input.path("children")) {
      for (JsonNode entry : input.get("index").path("manifests")) {
        if (entry.path("digest").asText().equals(child.path("from").asText())) {
          ObjectNode rebased = entry.deepCopy();
          rebased.put("digest", child.path("digest").asText());
          rebased.put("size", child.path("size").asLong());
          manifests.add(rebased);
          break;
        }
      }
    }
    index.set("manifests", manifests);
    setBaseAnnotations(index, input);
    return index;
  }

  /** The canonical bytes of a config or manifest we produce: compact, fields in insertion order. */
  public static byte[] serialize(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  /** The platform an image config declares. */
  public static Platform platformOf(JsonNode config) {
    return new Platform(config.path("os").asText(""), config.path("architecture").asText(""), config.path("variant").asText(null));
  }

  private static JsonNode imageManifest(JsonNode image, String role) {
    JsonNode manifest = image.path("manifest");
    String type = manifest.path("mediaType").asText("");
    if (!MediaTypes.isImageManifest(type)) {
      throw new RebaseException(
          RebaseException.INVALID_IMAGE,
          "the " + role + " manifest has media type '" + type + "'; expected an OCI or Docker v2 image manifest");
    }
    if (!manifest.path("layers").isArray() || !image.path("config").path("rootfs").path("diff_ids").isArray()) {
      throw new RebaseException(RebaseException.INVALID_IMAGE, "the " + role + " image has no layer list or no rootfs.diff_ids");
    }
    return manifest;
  }

  /** Returns how many of the app's layers are the old base's; fails naming the first difference. */
  private static int checkPrefix(JsonNode appManifest, JsonNode appConfig, JsonNode oldManifest, JsonNode oldConfig) {
    JsonNode appLayers = appManifest.get("layers");
    JsonNode oldLayers = oldManifest.get("layers");
    JsonNode appDiffIds = appConfig.path("rootfs").path("diff_ids");
    JsonNode oldDiffIds = oldConfig.path("rootfs").path("diff_ids");
    if (oldLayers.size() > appLayers.size()) {
      throw new RebaseException(
          RebaseException.NOT_BASED_ON_OLD_BASE,
          "the app is not built on the old base: the old base has " + oldLayers.size()
              + " layers but the app only " + appLayers.size());
    }
    for (int i = 0; i < oldLayers.size(); i++) {
      String appDigest = appLayers.get(i).path("digest").asText();
      String oldDigest = oldLayers.get(i).path("digest").asText();
      String appDiffId = appDiffIds.path(i).asText();
      String oldDiffId = oldDiffIds.path(i).asText();
      if (!appDigest.equals(oldDigest) || !appDiffId.equals(oldDiffId)) {
        throw new RebaseException(
            RebaseException.NOT_BASED_ON_OLD_BASE,
            "the app is not built on the old base: layer " + (i + 1) + " of " + oldLayers.size()
                + " differs (app " + appDigest + ", old base " + oldDigest + "); name the base the app was built on with --old-base"
                + " or spec.app.oldBase");
      }
    }
    return oldLayers.size();
  }

  private static void checkPlatform(JsonNode appConfig, JsonNode newConfig) {
    Platform app = platformOf(appConfig);
    Platform base = platformOf(newConfig);
    if (!app.matches(base)) {
      throw new RebaseException(
          RebaseException.PLATFORM_MISMATCH,
          "the new base is " + base + " but the app is " + app + "; choose a base published for " + app);
    }
  }

  private static ObjectNode rebasedConfig(JsonNode app, JsonNode oldBase, JsonNode newBase, int baseLayers) {
    ObjectNode config = ((ObjectNode) app).deepCopy();
    for (String field : List.of("architecture", "os", "os.version", "os.features", "variant")) {
      if (newBase.has(field)) {
        config.set(field, newBase.get(field));
      } else {
        config.remove(field);
      }
    }
    config.set("config", ConfigInheritance.merge(app.path("config"), oldBase.path("config"), newBase.path("config")));

    ArrayNode diffIds = JSON.createArrayNode();
    newBase.path("rootfs").path("diff_ids").forEach(diffIds::add);
    JsonNode appDiffIds = app.path("rootfs").path("diff_ids");
    for (int i = baseLayers; i < appDiffIds.size(); i++) {
      diffIds.add(appDiffIds.get(i));
    }
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    rootfs.set("diff_ids", diffIds);

    if (app.has("history") || newBase.has("history")) {
      ArrayNode history = JSON.createArrayNode();
      newBase.path("history").forEach(history::add);
      appOwnHistory(app.path("history"), oldBase.path("history"), baseLayers).forEach(history::add);
      config.set("history", history);
    }
    return config;
  }

  /**
   * The app's own history entries. When the app's history starts with the old base's whole
   * history, the rest is the app's. Otherwise (a build tool rewrote it) the app's part starts
   * after the entry that created the old base's last layer and the empty entries (ENV, CMD...)
   * the old base has after that layer.
   */
  static List<JsonNode> appOwnHistory(JsonNode appHistory, JsonNode oldHistory, int baseLayers) {
    List<JsonNode> entries = list(appHistory);
    List<JsonNode> old = list(oldHistory);
    if (!old.isEmpty() && old.size() <= entries.size() && entries.subList(0, old.size()).equals(old)) {
      return entries.subList(old.size(), entries.size());
    }
    int start = 0;
    for (int layersSeen = 0; start < entries.size() && layersSeen < baseLayers; start++) {
      if (!isEmptyLayer(entries.get(start))) {
        layersSeen++;
      }
    }
    int trailingEmpty = 0;
    for (int i = old.size() - 1; i >= 0 && isEmptyLayer(old.get(i)); i--) {
      trailingEmpty++;
    }
    for (; trailingEmpty > 0 && start < entries.size() && isEmptyLayer(entries.get(start)); trailingEmpty--) {
      start++;
    }
    return entries.subList(start, entries.size());
  }

  private static boolean isEmptyLayer(JsonNode entry) {
    return entry.path("empty_layer").asBoolean(false);
  }

  private static List<JsonNode> list(JsonNode array) {
    return array.isArray() ? JSON.convertValue(array, JSON.getTypeFactory().constructCollectionType(List.class, JsonNode.class)) : List.of();
  }

  private static ObjectNode rebasedManifest(
      JsonNode appManifest, JsonNode newManifest, int baseLayers, byte[] configBytes, JsonNode input) {
    ObjectNode manifest = ((ObjectNode) appManifest).deepCopy();
    ObjectNode config = ((ObjectNode) appManifest.get("config")).deepCopy();
    config.put("digest", Digest.of(configBytes).value());
    config.put("size", configBytes.length);
    manifest.set("config", config);

    ArrayNode layers = JSON.createArrayNode();
    newManifest.get("layers").forEach(layers::add);
    JsonNode appLayers = appManifest.get("layers");
    for (int i = baseLayers; i < appLayers.size(); i++) {
      layers.add(appLayers.get(i));
    }
    manifest.set("layers", layers);

    setBaseAnnotations(manifest, input);
    return manifest;
  }

  private static void setBaseAnnotations(ObjectNode manifest, JsonNode input) {
    ObjectNode annotations = manifest.path("annotations").isObject()
        ? (ObjectNode) manifest.get("annotations")
        : manifest.putObject("annotations");
    annotations.put(BASE_NAME, input.path("newBaseName").asText());
    annotations.put(BASE_DIGEST, input.path("newBaseDigest").asText());
  }
}
