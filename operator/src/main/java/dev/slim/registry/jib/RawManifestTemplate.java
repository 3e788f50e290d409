package dev.slim.registry.jib;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.google.cloud.tools.jib.image.json.ManifestTemplate;
import dev.slim.registry.Manifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A jib {@link ManifestTemplate} that serializes to exactly the bytes it was built from. jib's own
 * templates drop unknown fields and re-serialize, which would change the digest; jib writes a
 * template with Jackson, and a {@link JsonSerializable} is written by its own method, so the
 * pushed body is {@link Manifest#bytes()} and the digest jib checks is {@link Manifest#digest()}.
 */
final class RawManifestTemplate implements ManifestTemplate, JsonSerializable {

  private final Manifest manifest;
  private final String json;

  RawManifestTemplate(Manifest manifest) {
    this.manifest = manifest;
    this.json = new String(manifest.bytes(), StandardCharsets.UTF_8);
    // Jackson writes the raw value as UTF-8 text: only valid UTF-8 survives the round trip.
    if (!Arrays.equals(json.getBytes(StandardCharsets.UTF_8), manifest.bytes())) {
      throw new IllegalArgumentException("manifest " + manifest.digest() + " is not valid UTF-8 JSON");
    }
  }

  @Override
  public int getSchemaVersion() {
    return manifest.json().path("schemaVersion").asInt(2);
  }

  @Override
  public String getManifestMediaType() {
    return manifest.mediaType();
  }

  @Override
  public void serialize(JsonGenerator gen, SerializerProvider serializers) throws IOException {
    gen.writeRawValue(json);
  }

  @Override
  public void serializeWithType(JsonGenerator gen, SerializerProvider serializers, TypeSerializer typeSer)
      throws IOException {
    serialize(gen, serializers);
  }
}
