package dev.slim.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Renders a kustomization the way {@code kubectl kustomize} does for the features deploy/ uses
 * (resources as files or directories, namespace, images, labels), so tests can apply deploy/
 * through the Java client on machines without kubectl. KustomizationTest compares the output
 * with kubectl's where kubectl exists.
 */
public final class Kustomization {

  static final YAMLMapper YAML = new YAMLMapper();
  /** Kinds kustomize leaves without a namespace. */
  private static final Set<String> CLUSTER_SCOPED = Set.of(
      "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition");

  private Kustomization() {}

  /** Every object of the kustomization in {@code dir}, transformed. */
  public static List<ObjectNode> render(Path dir) {
    JsonNode k = read(file(dir)).get(0);
    List<ObjectNode> out = new ArrayList<>();
    for (JsonNode r : k.path("resources")) {
      Path p = dir.resolve(r.asText()).normalize();
      if (Files.isDirectory(p)) {
        out.addAll(render(p));
      } else {
        read(p).forEach(n -> out.add((ObjectNode) n));
      }
    }
    String namespace = k.path("namespace").asText(null);
    for (ObjectNode o : out) {
      if (namespace != null && !CLUSTER_SCOPED.contains(o.path("kind").asText())) {
        ((ObjectNode) o.get("metadata")).put("namespace", namespace);
      }
      if (namespace != null && o.has("subjects")) {
        o.get("subjects").forEach(s -> {
          if ("ServiceAccount".equals(s.path("kind").asText())) {
            ((ObjectNode) s).put("namespace", namespace);
          }
        });
      }
      for (JsonNode pairs : k.path("labels")) {
        pairs.path("pairs").fields().forEachRemaining(e ->
            ((ObjectNode) o.get("metadata")).withObject("labels").set(e.getKey(), e.getValue()));
      }
      for (JsonNode image : k.path("images")) {
        containers(o).forEach(c -> {
          if (image.path("name").asText().equals(c.path("image").asText())) {
            c.put("image", image.path("newName").asText(image.path("name").asText())
                + (image.has("newTag") ? ":" + image.path("newTag").asText() : ""));
          }
        });
      }
    }
    return out;
  }

  /** The kustomization file of {@code dir}, under any of the names kustomize reads. */
  static Path file(Path dir) {
    for (String name : List.of("kustomization.yaml", "kustomization.yml", "Kustomization")) {
      if (Files.isRegularFile(dir.resolve(name))) {
        return dir.resolve(name);
      }
    }
    throw new IllegalStateException("no kustomization file in " + dir);
  }

  /** The one object of {@code kind} named {@code name}. */
  public static ObjectNode find(List<ObjectNode> objects, String kind, String name) {
    return objects.stream()
        .filter(o -> kind.equals(o.path("kind").asText()) && name.equals(o.path("metadata").path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in deploy/"));
  }

  /** Each YAML document of a file, skipping empty ones. */
  static List<JsonNode> read(Path file) {
    try (var parser = new YAMLFactory().createParser(file.toFile())) {
      List<JsonNode> docs = new ArrayList<>();
      ObjectMapper mapper = YAML;
      mapper.readValues(parser, JsonNode.class).forEachRemaining(n -> {
        if (n != null && !n.isNull() && !n.isMissingNode() && n.size() > 0) {
          docs.add(n);
        }
      });
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static List<ObjectNode> containers(ObjectNode o) {
    List<ObjectNode> cs = new ArrayList<>();
    JsonNode pod = o.path("spec").path("template").path("spec");
    pod.path("containers").forEach(c -> cs.add((ObjectNode) c));
    pod.path("initContainers").forEach(c -> cs.add((ObjectNode) c));
    return cs;
  }
}
