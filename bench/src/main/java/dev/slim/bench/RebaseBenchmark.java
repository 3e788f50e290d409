package dev.slim.bench;

import dev.slim.rebase.RebaseRequest;
import dev.slim.rebase.RebaseResult;
import dev.slim.rebase.Rebaser;
import dev.slim.registry.ImageRef;
import dev.slim.registry.RegistryCredentials;
import dev.slim.registry.RegistryOptions;
import dev.slim.registry.jib.JibImageRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Measures a re-base against a full rebuild of the same files onto the new base, on a real
 * local registry: wall time and the bytes each sends to the registry.
 *
 * <p>Usage: {@code RebaseBenchmark REGISTRY [APP_MB] [BASE_MB]} (defaults 200 and 100). The
 * files are random, so gzip cannot shrink them and the sizes are what a registry stores.
 */
public final class RebaseBenchmark {

  private static final int LAYERS = 4;

  private RebaseBenchmark() {}

  public static void main(String[] args) throws Exception {
    String registry = args[0];
    int appMb = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int baseMb = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    Path work = Files.createTempDirectory("slimimage-bench");

    long t0 = System.nanoTime();
    Path baseV1 = files(work.resolve("base-v1"), "usr/lib/base", baseMb, 1);
    Path baseV2 = files(work.resolve("base-v2"), "usr/lib/base", baseMb, 2);
    List<Path> appLayers = new ArrayList<>();
    for (int i = 0; i < LAYERS; i++) {
      appLayers.add(files(work.resolve("app-" + i), "app/lib" + i, appMb / LAYERS, 100 + i));
    }
    SeedImage.build(null, registry + "/bench/base:v1", List.of(baseV1), Map.of(), List.of(), null);
    SeedImage.build(null, registry + "/bench/base:v2", List.of(baseV2), Map.of(), List.of(), null);
    SeedImage.build(registry + "/bench/base:v1", registry + "/bench/app:1", appLayers, Map.of(), List.of("/app/run"), null);
    System.err.printf("seeded base %d MB, app %d MB in %d layers (%.1f s)%n", baseMb, appMb, LAYERS, seconds(t0));

    try (CountingProxy proxy = new CountingProxy(registry)) {
      String via = proxy.address();
      Rebaser rebaser = new Rebaser(new JibImageRegistry(RegistryCredentials.anonymous(), RegistryOptions.defaults(Set.of(via))));
      List<Double> rebaseSeconds = new ArrayList<>();
      RebaseResult first = null;
      long firstWire = 0;
      for (int run = 1; run <= 3; run++) {
        long start = System.nanoTime();
        RebaseResult result = rebaser.rebase(new RebaseRequest(
            ImageRef.parse(via + "/bench/app:1"), ImageRef.parse(via + "/bench/base:v2"),
            Optional.of(ImageRef.parse(via + "/bench/base:v1")), ImageRef.parse(via + "/bench/app-rebased-" + run + ":1"), List.of()));
        rebaseSeconds.add(seconds(start));
        long wire = proxy.resetSent();
        if (run == 1) {
          first = result;
          firstWire = wire;
        }
      }

      long start = System.nanoTime();
      // A cold layer cache: a CI rebuild tars, compresses and hashes the app's files again.
      SeedImage.build(via + "/bench/base:v2", via + "/bench/app-rebuilt:1", appLayers, Map.of(), List.of("/app/run"),
          Files.createDirectories(work.resolve("jib-cache")));
      double rebuildSeconds = seconds(start);
      long rebuildWire = proxy.resetSent();

      System.out.printf("%n| %-34s | %12s | %12s |%n", "app " + appMb + " MB on base " + baseMb + " MB", "rebase", "jib rebuild");
      System.out.printf("|%s|%s|%s|%n", "-".repeat(36), "-".repeat(14), "-".repeat(14));
      System.out.printf("| %-34s | %12.2f | %12.2f |%n", "wall time, first run (s)", rebaseSeconds.get(0), rebuildSeconds);
      System.out.printf("| %-34s | %12s | %12s |%n", "wall time, runs 2-3 (s)",
          String.format("%.2f, %.2f", rebaseSeconds.get(1), rebaseSeconds.get(2)), "-");
      System.out.printf("| %-34s | %12d | %12s |%n", "bytes uploaded (engine's count)", first.bytesUploaded(), "-");
      System.out.printf("| %-34s | %12d | %12d |%n", "bytes sent to the registry (wire)", firstWire, rebuildWire);
      System.out.printf("| %-34s | %12s | %12s |%n", "blobs mounted / uploaded",
          first.blobsMounted() + " / " + first.blobsUploaded(), "-");
      if (first.bytesUploaded() >= 64 * 1024) {
        System.err.println("FAIL: the rebase uploaded " + first.bytesUploaded() + " bytes; it must stay under 64 KiB");
        System.exit(1);
      }
    } finally {
      deleteTree(work);
    }
  }

  /** Writes {@code mb} MB of random bytes as four files under {@code root/sub}. */
  private static Path files(Path root, String sub, int mb, long seed) throws IOException {
    Path dir = Files.createDirectories(root.resolve(sub));
    SplittableRandom random = new SplittableRandom(seed);
    byte[] chunk = new byte[1 << 20];
    for (int f = 0; f < 4; f++) {
      try (OutputStream out = Files.newOutputStream(dir.resolve("part-" + f + ".bin"))) {
        for (int i = 0; i < mb / 4; i++) {
          random.nextBytes(chunk);
          out.write(chunk);
        }
      }
    }
    return root;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
