package dev.slim.bench;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds an image from directories with jib's public API and pushes it to a plain-HTTP local
 * registry: how the demo and the benchmarks make bases and apps without Docker.
 *
 * <p>Usage: {@code SeedImage --to REF [--from REF] [--env K=V]... [--entrypoint CMD]... DIR...};
 * each DIR (its subdirectories at / in the image) becomes one layer. Prints the pushed digest.
 */
public final class SeedImage {

  private static final FilePermissions EXECUTABLE = FilePermissions.fromOctalString("755");

  private SeedImage() {}

  public static void main(String[] args) throws Exception {
    String to = null;
    String from = null;
    Map<String, String> env = new LinkedHashMap<>();
    List<String> entrypoint = new ArrayList<>();
    List<Path> layers = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--to" -> to = args[++i];
        case "--from" -> from = args[++i];
        case "--env" -> {
          String[] kv = args[++i].split("=", 2);
          env.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        case "--entrypoint" -> entrypoint.add(args[++i]);
        default -> layers.add(Path.of(args[i]));
      }
    }
    if (to == null || layers.isEmpty()) {
      System.err.println("usage: SeedImage --to REF [--from REF] [--env K=V]... [--entrypoint ARG]... DIR...");
      System.exit(2);
    }
    System.out.println(build(from, to, layers, env, entrypoint, null).getDigest());
  }

  /**
   * Builds {@code layers} on {@code from} (scratch when null) and pushes the result to {@code to}.
   * A {@code cache} directory replaces jib's shared layer cache, so a build can be timed cold.
   */
  public static JibContainer build(
      String from, String to, List<Path> layers, Map<String, String> env, List<String> entrypoint, Path cache)
      throws Exception {
    // The local registries used here speak plain HTTP, also for credentials.
    System.setProperty("sendCredentialsOverHttp", "true");
    JibContainerBuilder builder = from == null ? Jib.fromScratch() : Jib.from(registryImage(from));
    builder.setFormat(ImageFormat.OCI);
    for (Path dir : layers) {
      FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(dir.getFileName().toString());
      try (Stream<Path> children = Files.list(dir)) {
        for (Path child : children.sorted().toList()) {
          // Keep the executable bit: jib's default makes every file 644.
          layer.addEntryRecursive(child, AbsoluteUnixPath.get("/").resolve(child.getFileName().toString()),
              (src, dst) -> Files.isExecutable(src) ? EXECUTABLE : FilePermissions.DEFAULT_FILE_PERMISSIONS);
        }
      }
      builder.addFileEntriesLayer(layer.build());
    }
    env.forEach(builder::addEnvironmentVariable);
    if (!entrypoint.isEmpty()) {
      builder.setEntrypoint(entrypoint);
    }
    Containerizer containerizer = Containerizer.to(registryImage(to))
        .setAllowInsecureRegistries(true)
        .setToolName("slimimage-seed");
    if (cache != null) {
      containerizer.setApplicationLayersCache(cache.resolve("app")).setBaseImageLayersCache(cache.resolve("base"));
    }
    return builder.containerize(containerizer);
  }

  private static RegistryImage registryImage(String ref) throws InvalidImageReferenceException {
    return RegistryImage.named(ImageReference.parse(ref));
  }
}
