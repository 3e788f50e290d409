package dev.slim.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads typed values from environment variables: an unset or blank variable takes its default,
 * and a value that cannot be used is a {@link ConfigException} naming the variable.
 */
record EnvReader(Map<String, String> env) {

  /** The trimmed value, or null when unset or blank. */
  String value(String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  String string(String name, String dflt) {
    String v = value(name);
    return v == null ? dflt : v;
  }

  boolean bool(String name, boolean dflt) {
    String v = value(name);
    if (v == null) {
      return dflt;
    }
    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(v);
    }
    throw new ConfigException(name + "=" + v + ": expected true or false");
  }

  int integer(String name, int dflt, int min, int max) {
    String v = value(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new ConfigException(name + "=" + v + " is out of range: expected " + min + " to " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(name + "=" + v + " is not a number: expected " + min + " to " + max);
    }
  }

  Duration duration(String name, String dflt) {
    return parsed(name, dflt, GoDuration::parse);
  }

  /** A value parsed by {@code parser}, whose IllegalArgumentException message says what is allowed. */
  <T> T parsed(String name, String dflt, Function<String, T> parser) {
    String v = value(name);
    try {
      return parser.apply(v == null ? dflt : v);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name + ": " + e.getMessage());
    }
  }

  /** A comma-separated list whose every item matches {@code item} ({@code what} names an item). */
  Set<String> list(String name, Pattern item, String what) {
    String v = value(name);
    if (v == null) {
      return Set.of();
    }
    Set<String> items = Arrays.stream(v.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toCollection(LinkedHashSet::new));
    for (String s : items) {
      if (!item.matcher(s).matches()) {
        throw new ConfigException(name + ": '" + s + "' is not " + what + " (expected a comma-separated list)");
      }
    }
    return items;
  }
}
