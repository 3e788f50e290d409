package dev.slim.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * A manifest or index exactly as the registry stores it. The bytes are kept untouched because
 * the digest is computed over them: re-serializing would change the identity of the image.
 */
public record Manifest(String mediaType, byte[] bytes, Digest digest) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public static Manifest of(String mediaType, byte[] bytes) {
    return new Manifest(mediaType, bytes, Digest.of(bytes));
  }

  /** A manifest with the media type taken from its own {@code mediaType} field. */
  public static Manifest of(byte[] bytes) {
    JsonNode type = parse(bytes).get("mediaType");
    if (type == null || !type.isTextual()) {
      throw new IllegalArgumentException("manifest has no mediaType field");
    }
    return of(type.asText(), bytes);
  }

  public JsonNode json() {
    return parse(bytes);
  }

  /** {@code {"manifest": ..., "config": ...}}: one image as the planners take it. */
  public ObjectNode withConfig(JsonNode config) {
    ObjectNode image = JSON.createObjectNode();
    image.set("manifest", json());
    image.set("config", config);
    return image;
  }

  public boolean isIndex() {
    return MediaTypes.isIndex(mediaType);
  }

  private static JsonNode parse(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("manifest is not JSON", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Manifest m && mediaType.equals(m.mediaType) && Arrays.equals(bytes, m.bytes);
  }

  @Override
  public int hashCode() {
    return digest.hashCode();
  }

  @Override
  public String toString() {
    return "Manifest[" + mediaType + ", " + digest + ", " + bytes.length + " bytes]";
  }
}
