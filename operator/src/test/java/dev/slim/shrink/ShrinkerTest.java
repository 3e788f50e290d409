package dev.slim.shrink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.InMemoryImageRegistry;
import dev.slim.registry.LayeredImageBuilder;
import dev.slim.registry.Manifest;
import dev.slim.registry.MediaTypes;
import dev.slim.testing.Layer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Shrinker's orchestration over an in-memory registry and a recording builder: what is read, checked and built. */
class ShrinkerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final InMemoryImageRegistry registry = new InMemoryImageRegistry();
  private final RecordingBuilder builder = new RecordingBuilder();
  private final Shrinker shrinker = new Shrinker(registry, builder);

  private final ImageRef fat = push("reg.test/debian:12", List.of(Layer.builder().executable("bin/sh", "static shell")
      .file("var/lib/dpkg/status", "Package: bash\nStatus: install ok installed\n\nPackage: coreutils\nStatus: install ok installed\n").build()),
      List.of("PATH=/usr/bin:/bin", "LANG=C"), null, Map.of());
  private final ImageRef slim = push("reg.test/static:1", List.of(Layer.builder()
      .file("var/lib/dpkg/status.d/base-files", "Package: base-files\n").build()), List.of("PATH=/usr/bin"), null, Map.of());

  @Test
  void buildsOnlyTheSelectedFilesAfterTheChecksPass() throws Exception {
    ImageRef app = app(Layer.builder().dir("app").file("app/server", "static binary".getBytes(), 0755).file("app/notes", "n").build(),
        List.of("/app/server"));

    ShrinkResult result = shrinker.shrink(request(app, List.of("/app"), false));

    LayeredImageBuilder.Request built = builder.requests.get(0);
    assertThat(built.base().digest()).isEqualTo(registry.resolve(slim));
    assertThat(built.layers()).singleElement().satisfies(l -> assertThat(l.entries())
        .extracting(LayeredImageBuilder.FileEntry::path).containsExactly("/app", "/app/notes", "/app/server"));
    LayeredImageBuilder.FileEntry server = built.layers().get(0).entries().get(2);
    assertThat(builder.contents.get("/app/server")).isEqualTo("static binary");
    assertThat(server.permissions()).isEqualTo(0755);
    assertThat(built.settings().env()).containsOnlyKeys("APP");
    assertThat(result.envDropped()).containsExactly("PATH", "LANG");
    assertThat(result.report().original().packages()).isEqualTo(2);
    assertThat(result.report().slim().packages()).isEqualTo(1);
    assertThat(result.report().packagesRemoved()).containsExactly("bash", "coreutils");
    assertThat(Files.exists(server.source())).as("spooled files are deleted after the build").isFalse();
  }

  @Test
  void aMissingPathOrInterpreterBuildsNothing() {
    ImageRef app = app(Layer.builder().executable("app/run.sh", "#!/bin/sh\n").build(), List.of("/app/run.sh"));

    assertThatThrownBy(() -> shrinker.shrink(request(app, List.of("/srv"), false)))
        .isInstanceOfSatisfying(ShrinkException.class, e -> assertThat(e.reason()).isEqualTo(ShrinkException.PATH_NOT_FOUND));
    assertThatThrownBy(() -> shrinker.shrink(request(app, List.of("/app"), false)))
        .isInstanceOfSatisfying(ShrinkException.class, e -> assertThat(e.reason()).isEqualTo(ShrinkException.INTERPRETER_MISSING))
        .hasMessageContaining("nothing was pushed");
    assertThat(builder.requests).isEmpty();
    assertThat(registry.requests()).noneMatch(r -> r.startsWith("push") || r.startsWith("copyBlob"));

    ShrinkResult allowed = shrinker.shrink(request(app, List.of("/app"), true));
    assertThat(allowed.warnings()).anyMatch(w -> w.startsWith("allowMissing:") && w.contains("/bin/sh"));
  }

  @Test
  void symlinksGoIntoALayerUnderTheBaseThatJibBuildsOn() {
    ImageRef app = app(Layer.builder().dir("app").file("app/server", "bin".getBytes(), 0755).symlink("app/current", "server").build(),
        List.of("/app/current"));

    shrinker.shrink(request(app, List.of("/app"), false));

    ImageRef base = builder.requests.get(0).base();
    assertThat(base.repositoryName()).isEqualTo("reg.test/shop/app-slim");
    Manifest intermediate = registry.pullManifest(base);
    assertThat(intermediate.json().get("layers")).hasSize(2);
    assertThat(builder.requests.get(0).layers().get(0).entries()).extracting(LayeredImageBuilder.FileEntry::path)
        .containsExactly("/app", "/app/server");
  }

  private ShrinkRequest request(ImageRef app, List<String> paths, boolean allowMissing) {
    return new ShrinkRequest(app, slim, Optional.empty(), ImageRef.parse("reg.test/shop/app-slim:1"), paths, Map.of(), allowMissing, Optional.empty());
  }

  private ImageRef app(Layer layer, List<String> entrypoint) {
    ObjectNode config = config(List.of("PATH=/usr/bin:/bin", "LANG=C", "APP=1"), entrypoint);
    return push("reg.test/shop/app:1", List.of(layer), config, Map.of(
        "org.opencontainers.image.base.name", "reg.test/debian:12"), fat);
  }

  private ImageRef push(String ref, List<Layer> layers, List<String> env, List<String> entrypoint, Map<String, String> annotations) {
    return push(ref, layers, config(env, entrypoint), annotations, null);
  }

  /** Pushes an image whose layers are {@code below}'s followed by {@code layers}. */
  private ImageRef push(String ref, List<Layer> layers, ObjectNode config, Map<String, String> annotations, ImageRef below) {
    ImageRef r = ImageRef.parse(ref);
    ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST);
    ArrayNode descriptors = JSON.createArrayNode();
    ArrayNode diffIds = config.with("rootfs").put("type", "layers").withArray("diff_ids");
    if (below != null) {
      Manifest base = registry.pullManifest(below);
      base.json().get("layers").forEach(d -> {
        descriptors.add(d);
        registry.putBlob(r, registry.pullBlob(below, Digest.parse(d.get("digest").asText())));
      });
    }
    for (Layer layer : layers) {
      registry.putBlob(r, layer.gzip());
      descriptors.addObject().put("mediaType", MediaTypes.OCI_LAYER).put("digest", layer.digest().value()).put("size", layer.size());
      diffIds.add(layer.diffId().value());
    }
    byte[] configBytes = config.toString().getBytes();
    Digest configDigest = registry.putBlob(r, configBytes);
    manifest.putObject("config").put("mediaType", MediaTypes.OCI_CONFIG).put("digest", configDigest.value()).put("size", configBytes.length);
    manifest.set("layers", descriptors);
    if (!annotations.isEmpty()) {
      ObjectNode a = manifest.putObject("annotations");
      annotations.forEach(a::put);
    }
    registry.putManifest(r, Manifest.of(MediaTypes.OCI_MANIFEST, manifest.toString().getBytes()));
    return r;
  }

  private static ObjectNode config(List<String> env, List<String> entrypoint) {
    ObjectNode config = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
    ObjectNode c = config.putObject("config");
    env.forEach(c.withArray("Env")::add);
    if (entrypoint != null) {
      entrypoint.forEach(c.withArray("Entrypoint")::add);
    }
    return config;
  }

  private static String readString(java.nio.file.Path path) {
    try {
      return Files.readString(path);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Records what it was asked to build and "pushes" a manifest naming the base's layers, so read-back works. */
  private final class RecordingBuilder implements LayeredImageBuilder {
    final List<Request> requests = new ArrayList<>();
    final Map<String, String> contents = new java.util.HashMap<>();

    @Override
    public Built build(Request request) {
      requests.add(request);
      for (FileLayer layer : request.layers()) {
        for (FileEntry e : layer.entries()) {
          assertThat(e.source()).as("sources exist while the builder runs").exists();
          if (Files.isRegularFile(e.source())) {
            contents.put(e.path(), readString(e.source()));
          }
        }
      }
      Manifest base = registry.pullManifest(request.base());
      Manifest result = Manifest.of(MediaTypes.OCI_MANIFEST, base.bytes());
      registry.putManifest(request.target(), result);
      return new Built(result.digest(), Set.of(), true);
    }
  }
}
