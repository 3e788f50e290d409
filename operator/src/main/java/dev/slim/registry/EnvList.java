package dev.slim.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/** An image config's {@code Env} list ({@code NAME=VALUE} strings) as an ordered map, and back. */
public final class EnvList {

  private EnvList() {}

  /** Env as an ordered map; an entry without '=' maps to null so it round-trips unchanged. */
  public static Map<String, String> parse(JsonNode list) {
    Map<String, String> map = new LinkedHashMap<>();
    if (list != null && list.isArray()) {
      for (JsonNode item : list) {
        String text = item.asText();
        int eq = text.indexOf('=');
        map.put(eq < 0 ? text : text.substring(0, eq), eq < 0 ? null : text.substring(eq + 1));
      }
    }
    return map;
  }

  /** The list form of {@link #parse}'s map, in its order. */
  public static ArrayNode render(Map<String, String> env) {
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    env.forEach((name, value) -> list.add(value == null ? name : name + "=" + value));
    return list;
  }
}
