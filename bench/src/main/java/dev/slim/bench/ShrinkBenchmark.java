package dev.slim.bench;

import dev.slim.registry.ImageRef;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.RegistryCredentials;
import dev.slim.registry.RegistryOptions;
import dev.slim.registry.jib.JibImageRegistry;
import dev.slim.registry.jib.JibLayeredImageBuilder;
import dev.slim.shrink.ShrinkRequest;
import dev.slim.shrink.ShrinkResult;
import dev.slim.shrink.Shrinker;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Measures a shrink of a fat app image onto a slim base on a real local registry: wall time,
 * compressed size and package count before and after, and the bytes sent to the registry, for a
 * first shrink, a repeat with the same inputs, and a shrink onto a new slim base digest.
 *
 * <p>Usage: {@code ShrinkBenchmark REGISTRY [IMAGE_MB] [APP_MB]} (defaults 200 and 60): the app
 * image is IMAGE_MB in total, APP_MB of it under /app, the rest the fat base. The fat base carries
 * this machine's real dpkg status, /bin/sh and ld.so, so the package count and the entrypoint
 * check see real data. Files are random, so gzip cannot shrink them.
 */
public final class ShrinkBenchmark {

  private ShrinkBenchmark() {}

  public static void main(String[] args) throws Exception {
    String registry = args[0];
    int imageMb = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int appMb = args.length > 2 ? Integer.parseInt(args[2]) : 60;
    Path work = Files.createTempDirectory("slimimage-shrink-bench");
    try {
      long t0 = System.nanoTime();
      Path fat = work.resolve("fat");
      random(fat.resolve("usr/lib/fat"), imageMb - appMb, 1);
      copy(Path.of("/var/lib/dpkg/status"), fat.resolve("var/lib/dpkg/status"));
      runtime(fat);
      Path slimV1 = slim(work.resolve("slim-v1"), 1);
      Path slimV2 = slim(work.resolve("slim-v2"), 2);
      Path app = work.resolve("app");
      random(app.resolve("app/lib"), appMb, 100);
      Files.writeString(app.resolve("app/run.sh"), "#!/bin/sh\nexec echo started\n");
      app.resolve("app/run.sh").toFile().setExecutable(true, false);

      SeedImage.build(null, registry + "/bench/debian:12", List.of(fat), Map.of("LANG", "C.UTF-8"), List.of("/bin/sh"), null);
      SeedImage.build(null, registry + "/bench/slim:v1", List.of(slimV1), Map.of(), List.of(), null);
      SeedImage.build(null, registry + "/bench/slim:v2", List.of(slimV2), Map.of(), List.of(), null);
      SeedImage.build(registry + "/bench/debian:12", registry + "/bench/fat-app:1", List.of(app), Map.of("APP_MODE", "prod"), List.of("/app/run.sh"), null);
      System.err.printf("seeded a %d MB app image (%d MB under /app) and two slim bases (%.1f s)%n", imageMb, appMb, seconds(t0));

      try (CountingProxy proxy = new CountingProxy(registry)) {
        String via = proxy.address();
        RegistryOptions options = RegistryOptions.defaults(Set.of(via));
        List<Row> rows = new ArrayList<>();
        try (ImageRegistry images = new JibImageRegistry(RegistryCredentials.anonymous(), options)) {
          Shrinker shrinker = new Shrinker(images, new JibLayeredImageBuilder(RegistryCredentials.anonymous(), options));
          rows.add(run(shrinker, proxy, via, "first shrink", "bench/slim:v1", "bench/app-slim:1"));
          rows.add(run(shrinker, proxy, via, "same inputs again", "bench/slim:v1", "bench/app-slim:1"));
          rows.add(run(shrinker, proxy, via, "new slim base digest", "bench/slim:v2", "bench/app-slim:2"));
        }
        ShrinkResult first = rows.get(0).result();
        System.out.printf("%n| %-22s | %9s | %14s | %14s | %14s | %-8s |%n", "run", "time (s)", "engine upload", "wire bytes", "digest", "same?");
        System.out.printf("|%s|%s|%s|%s|%s|%s|%n", "-".repeat(24), "-".repeat(11), "-".repeat(16), "-".repeat(16), "-".repeat(16), "-".repeat(10));
        for (Row r : rows) {
          System.out.printf("| %-22s | %9.2f | %14d | %14d | %14s | %-8s |%n", r.name(), r.seconds(), r.result().bytesUploaded(),
              r.wire(), r.result().digest().shortHex(12), r.result().digest().equals(first.digest()) ? "yes" : "no");
        }
        var report = first.report();
        System.out.printf("%n| %-22s | %14s | %14s |%n", "image", "original", "slim");
        System.out.printf("|%s|%s|%s|%n", "-".repeat(24), "-".repeat(16), "-".repeat(16));
        System.out.printf("| %-22s | %14d | %14d |%n", "compressed bytes", report.original().compressedBytes(), report.slim().compressedBytes());
        System.out.printf("| %-22s | %14d | %14d |%n", "layers", report.original().layers(), report.slim().layers());
        System.out.printf("| %-22s | %14s | %14s |%n", "OS packages", report.original().packages(), report.slim().packages());
        System.out.printf("%nsaved %d bytes (%.0f%%), %d packages removed%n", report.savedBytes(),
            100.0 * report.savedBytes() / report.original().compressedBytes(), report.packagesRemoved().size());
        long appLayer = appMb * 1024L * 1024L;
        if (rows.get(2).result().bytesUploaded() >= appLayer / 2) {
          System.err.println("FAIL: a new slim base re-uploaded the app layer (" + rows.get(2).result().bytesUploaded() + " bytes)");
          System.exit(1);
        }
        if (!rows.get(1).result().digest().equals(first.digest())) {
          System.err.println("FAIL: the same inputs gave a different digest");
          System.exit(1);
        }
      }
    } finally {
      deleteTree(work);
    }
  }

  private record Row(String name, double seconds, long wire, ShrinkResult result) {}

  private static Row run(Shrinker shrinker, CountingProxy proxy, String via, String name, String base, String target) {
    proxy.resetSent();
    long start = System.nanoTime();
    ShrinkResult result = shrinker.shrink(new ShrinkRequest(ImageRef.parse(via + "/bench/fat-app:1"), ImageRef.parse(via + "/" + base),
        Optional.empty(), ImageRef.parse(via + "/" + target), List.of("/app"), Map.of(), false, Optional.empty()));
    return new Row(name, seconds(start), proxy.resetSent(), result);
  }

  /** A distroless-style base: this machine's /bin/sh and ld.so, three packages in status.d, 2 MB of libraries. */
  private static Path slim(Path root, long seed) throws IOException {
    runtime(root);
    for (String name : List.of("base-files", "libc6", "tzdata")) {
      Path p = root.resolve("var/lib/dpkg/status.d/" + name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, "Package: " + name + "\nVersion: " + seed + "\nArchitecture: amd64\n");
    }
    random(root.resolve("usr/lib/slim"), 2, seed + 10);
    return root;
  }

  /** /bin/sh and the ELF interpreter it names, copied from this machine. */
  private static void runtime(Path root) throws IOException {
    copy(Path.of("/bin/dash"), root.resolve("bin/sh"));
    copy(Path.of("/lib64/ld-linux-x86-64.so.2").toRealPath(), root.resolve("lib64/ld-linux-x86-64.so.2"));
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
  }

  /** {@code mb} MB of random bytes as four files in {@code dir}. */
  private static void random(Path dir, int mb, long seed) throws IOException {
    Files.createDirectories(dir);
    SplittableRandom random = new SplittableRandom(seed);
    byte[] chunk = new byte[1 << 18];
    long total = mb * (1L << 20);
    for (int f = 0; f < 4; f++) {
      try (OutputStream out = Files.newOutputStream(dir.resolve("part-" + f + ".bin"))) {
        for (long written = 0; written < total / 4; written += chunk.length) {
          random.nextBytes(chunk);
          out.write(chunk);
        }
      }
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
