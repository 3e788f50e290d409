package dev.slim.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.MediaTypes;
import dev.slim.registry.Platform;
import java.util.List;
import java.util.Map;

/**
 * An image index (OCI) or manifest list (Docker) over pushed images, one entry per child with
 * its platform (from the child's config unless given) and optional annotations. Children pushed
 * to another repository are copied into the index's repository first.
 */
public final class IndexSpec {

  private final TestImages images;
  private final ObjectNode index = new ObjectMapper().createObjectNode();
  private final ArrayNode manifests;
  private final List<PushedImage> children = new java.util.ArrayList<>();

  IndexSpec(TestImages images, boolean oci) {
    this.images = images;
    index.put("schemaVersion", 2);
    index.put("mediaType", oci ? MediaTypes.OCI_INDEX : MediaTypes.DOCKER_MANIFEST_LIST);
    manifests = index.putArray("manifests");
  }

  public IndexSpec child(PushedImage image) {
    return child(image, image.platform(), Map.of());
  }

  public IndexSpec child(PushedImage image, Platform platform, Map<String, String> annotations) {
    ObjectNode entry = manifests.addObject();
    ImageSpec.descriptor(entry, image.mediaType(), image.digest(), image.manifest().length);
    ObjectNode p = entry.putObject("platform").put("architecture", platform.architecture()).put("os", platform.os());
    if (platform.variant() != null) {
      p.put("variant", platform.variant());
    }
    if (!annotations.isEmpty()) {
      ObjectNode a = entry.putObject("annotations");
      annotations.forEach(a::put);
    }
    children.add(image);
    return this;
  }

  public IndexSpec annotation(String key, String value) {
    index.withObject("annotations").put(key, value);
    return this;
  }

  public PushedImage push(String repoColonTag) {
    ImageRef ref = ImageRef.parse(images.host() + "/" + repoColonTag);
    for (PushedImage child : children) {
      if (!child.ref().repository().equals(ref.repository())) {
        images.copy(child, ref.repository());
      }
    }
    byte[] bytes = ImageSpec.json(index);
    String mediaType = index.get("mediaType").asText();
    images.http().putManifest(ref.repository(), ref.tag(), mediaType, bytes);
    return new PushedImage(ref, Digest.of(bytes), mediaType, bytes, null, List.of());
  }
}
