package dev.slim.rebase;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slim.registry.EnvList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Decides each runtime setting of a re-based image the way a rebuild on the new base would: a
 * value the app inherited unchanged from the old base follows the new base; a value the app set
 * itself stays.
 *
 * <p>Settings are compared one by one: each Env variable, each label, each exposed port and
 * volume separately, and User, WorkingDir, Entrypoint, Cmd, StopSignal, Shell and Healthcheck
 * whole. A setting the new base drops is dropped too, unless the app set it.
 */
final class ConfigInheritance {

  /** Whole-value settings: the app either kept the base's value or replaced it. */
  static final String[] SCALARS = {"User", "WorkingDir", "Entrypoint", "Cmd", "StopSignal", "Shell", "Healthcheck"};

  /** Keyed settings: each key is inherited or set on its own. */
  static final String[] MAPS = {"Labels", "ExposedPorts", "Volumes"};

  private ConfigInheritance() {}

  /**
   * The container config ({@code config} member of an image config) of the re-based image.
   * Field order follows the app's config so that equal inputs serialize to equal bytes.
   */
  static ObjectNode merge(JsonNode app, JsonNode oldBase, JsonNode newBase) {
    ObjectNode result = app.isObject() ? ((ObjectNode) app).deepCopy() : JsonNodeFactory.instance.objectNode();
    for (String field : SCALARS) {
      JsonNode appValue = present(app.get(field));
      if (Objects.equals(appValue, present(oldBase.get(field)))) {
        set(result, field, present(newBase.get(field)));
      }
    }
    for (String field : MAPS) {
      set(result, field, mergeMaps(app.get(field), oldBase.get(field), newBase.get(field)));
    }
    set(result, "Env", mergeEnv(app.get("Env"), oldBase.get("Env"), newBase.get("Env")));
    return result;
  }

  private static JsonNode mergeMaps(JsonNode app, JsonNode oldBase, JsonNode newBase) {
    Map<String, JsonNode> merged = new LinkedHashMap<>(entries(newBase));
    Map<String, JsonNode> old = entries(oldBase);
    entries(app).forEach((key, value) -> {
      if (!value.equals(old.get(key))) {
        merged.put(key, value);
      }
    });
    if (merged.isEmpty()) {
      return null;
    }
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    merged.forEach(node::set);
    return node;
  }

  private static JsonNode mergeEnv(JsonNode app, JsonNode oldBase, JsonNode newBase) {
    Map<String, String> merged = EnvList.parse(newBase);
    Map<String, String> old = EnvList.parse(oldBase);
    EnvList.parse(app).forEach((name, value) -> {
      if (!Objects.equals(value, old.get(name))) {
        merged.put(name, value);
      }
    });
    return merged.isEmpty() ? null : EnvList.render(merged);
  }

  private static Map<String, JsonNode> entries(JsonNode object) {
    Map<String, JsonNode> map = new LinkedHashMap<>();
    if (object != null && object.isObject()) {
      object.properties().forEach(e -> map.put(e.getKey(), e.getValue()));
    }
    return map;
  }

  /** JSON null and an absent field mean the same to a runtime; treat them alike. */
  private static JsonNode present(JsonNode node) {
    return node == null || node.isNull() ? null : node;
  }

  private static void set(ObjectNode target, String field, JsonNode value) {
    if (value == null) {
      target.remove(field);
    } else {
      target.set(field, value);
    }
  }
}
