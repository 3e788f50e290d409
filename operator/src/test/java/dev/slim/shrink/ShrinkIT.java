package dev.slim.shrink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.Manifest;
import dev.slim.registry.jib.JibImageRegistry;
import dev.slim.registry.jib.JibLayeredImageBuilder;
import dev.slim.testing.Cli;
import dev.slim.testing.Layer;
import dev.slim.testing.PushedImage;
import dev.slim.testing.RegistryServer;
import dev.slim.testing.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Shrink against a real Distribution registry: a Debian-style fat base (a dpkg status of 120
 * packages and a real dynamically linked shell), distroless-style slim bases (three packages in
 * status.d, with and without a shell), and an app with a script, a jar and a whited-out file.
 * Results are read back from the registry and unpacked entry by entry.
 */
class ShrinkIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SLIM_PACKAGES = List.of("base-files", "libc6", "tzdata");

  private static RegistryServer server;
  private static TestImages images;
  private static ImageRegistry registry;
  private static Shrinker shrinker;
  private static String host;
  private static PushedImage fatBase;
  private static PushedImage slimBase;
  private static PushedImage slimBaseV2;
  private static PushedImage distroless;
  private static PushedImage app;
  private static byte[] shell;

  @BeforeAll
  static void seed() throws IOException {
    server = RegistryServer.shared();
    images = new TestImages(server);
    host = server.host();
    registry = new JibImageRegistry(server.credentials(), server.options());
    shrinker = new Shrinker(registry, new JibLayeredImageBuilder(server.credentials(), server.options()));
    // A real dynamically linked ELF, so the PT_INTERP check reads what a linker wrote.
    shell = Files.readAllBytes(Path.of("/bin/dash"));

    fatBase = images.image().env("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").env("LANG=C.UTF-8")
        .label("org.opencontainers.image.version", "12")
        .layer(Layer.builder().dir("bin").file("bin/sh", shell, 0755).dir("lib64").file("lib64/ld-linux-x86-64.so.2", ld(), 0755)
            .dir("var").dir("var/lib").dir("var/lib/dpkg").file("var/lib/dpkg/status", dpkgStatus(120))
            .dir("usr").dir("usr/share").file("usr/share/big.bin", noise(300_000), 0644).build(), "ADD debian /")
        .cmd("/bin/sh").push("shrink/debian:12");
    slimBase = slim("1", true).push("shrink/slim:1");
    slimBaseV2 = slim("2", true).push("shrink/slim:2");
    distroless = slim("1", false).push("shrink/distroless:1");
    app = images.on(fatBase)
        .layer(Layer.builder().dir("app").executable("app/run.sh", "#!/bin/sh\nexec echo hello\n")
            .dir("app/lib").file("app/lib/app.jar", jarLike(), 0644).file("app/secret.txt", "s3cret")
            .symlink("app/current.jar", "lib/app.jar").build(), "COPY app /app")
        .layer(Layer.builder().whiteout("app/secret.txt").build(), "RUN rm /app/secret.txt")
        .env("APP_MODE=prod").label("app", "shop").exposedPort("8080/tcp").workingDir("/app").entrypoint("/app/run.sh")
        .annotation("org.opencontainers.image.base.name", host + "/shrink/debian:12")
        .annotation("org.opencontainers.image.base.digest", fatBase.digest().value())
        .push("shrink/app:1");
  }

  @AfterAll
  static void close() {
    registry.close();
  }

  @Test
  void resultHoldsOnlyTheSlimBaseAndTheAppFiles() throws IOException {
    ShrinkResult result = shrinker.shrink(request("shrink/slim:1", "shrink/app-slim:1", false));

    Manifest pushed = registry.pullManifest(ImageRef.parse(host + "/shrink/app-slim:1"));
    assertThat(pushed.digest()).isEqualTo(result.digest());
    assertThat(result.image().toString()).isEqualTo(host + "/shrink/app-slim@" + result.digest());
    assertThat(result.baseDigest()).isEqualTo(slimBase.digest());
    JsonNode layers = pushed.json().get("layers");
    assertThat(layers.get(0).get("digest").asText()).as("the slim base's layer first, as it was")
        .isEqualTo(slimBase.layers().get(0).digest().value());

    Map<String, TarArchiveEntry> files = unpack(ImageRef.parse(host + "/shrink/app-slim").withDigest(result.digest()));
    assertThat(files.keySet()).containsExactlyInAnyOrder(
        "/bin", "/bin/sh", "/lib64", "/lib64/ld-linux-x86-64.so.2", "/etc", "/etc/os-release",
        "/var", "/var/lib", "/var/lib/dpkg", "/var/lib/dpkg/status.d",
        "/var/lib/dpkg/status.d/base-files", "/var/lib/dpkg/status.d/libc6", "/var/lib/dpkg/status.d/tzdata",
        "/app", "/app/run.sh", "/app/lib", "/app/lib/app.jar", "/app/current.jar");
    assertThat(files).doesNotContainKey("/app/secret.txt").doesNotContainKey("/var/lib/dpkg/status").doesNotContainKey("/usr/share/big.bin");
    assertThat(files.get("/app/run.sh").getMode() & 0777).isEqualTo(0755);
    assertThat(files.get("/app/current.jar").isSymbolicLink()).as("symlinks stay symlinks").isTrue();
    assertThat(files.get("/app/current.jar").getLinkName()).isEqualTo("lib/app.jar");

    JsonNode config = JSON.readTree(registry.pullBlob(ImageRef.parse(host + "/shrink/app-slim"), Digest.parse(pushed.json().at("/config/digest").asText())));
    assertThat(config.at("/config/Entrypoint/0").asText()).isEqualTo("/app/run.sh");
    assertThat(config.at("/config/WorkingDir").asText()).isEqualTo("/app");
    assertThat(config.at("/config/ExposedPorts").has("8080/tcp")).isTrue();
    assertThat(config.at("/config/Labels/app").asText()).isEqualTo("shop");
    assertThat(config.at("/config/Labels").has("org.opencontainers.image.version")).as("the fat base's label describes the fat base").isFalse();
    List<String> env = new ArrayList<>();
    config.at("/config/Env").forEach(e -> env.add(e.asText()));
    assertThat(env).contains("APP_MODE=prod", "PATH=/usr/bin:/bin", "SLIM=1").noneMatch(e -> e.startsWith("LANG="));
    assertThat(result.envDropped()).containsExactly("PATH", "LANG");

    ShrinkReport report = result.report();
    assertThat(report.original().packages()).isEqualTo(120);
    assertThat(report.slim().packages()).isEqualTo(3);
    assertThat(report.packagesRemoved()).hasSize(117).doesNotContainAnyElementsOf(SLIM_PACKAGES).contains("pkg-004");
    assertThat(report.original().layers()).isEqualTo(3);
    assertThat(report.original().compressedBytes()).isEqualTo(app.layers().stream().mapToLong(d -> d.size()).sum());
    long pushedBytes = 0;
    for (JsonNode l : layers) {
      pushedBytes += l.get("size").asLong();
    }
    assertThat(report.slim().compressedBytes()).isEqualTo(pushedBytes);
    assertThat(report.slim().layers()).as("slim base, the app's symlinks, /app").isEqualTo(layers.size()).isEqualTo(3);
    assertThat(report.slim().compressedBytes()).isLessThan(report.original().compressedBytes());
  }

  @Test
  void sameInputsGiveTheSameDigestAndANewBaseReusesTheAppLayer() {
    ShrinkResult first = shrinker.shrink(request("shrink/slim:1", "shrink/app-repro:1", false));
    ShrinkResult again = shrinker.shrink(request("shrink/slim:1", "shrink/app-repro:1", false));
    assertThat(again.digest()).isEqualTo(first.digest());
    // jib always re-puts the manifest (skipping it would also skip moving the tag), nothing else.
    assertThat(again.blobsUploaded()).as("no blob sent twice").isZero();
    assertThat(again.bytesUploaded()).isLessThan(2048);

    ShrinkResult onV2 = shrinker.shrink(request("shrink/slim:2", "shrink/app-repro:2", false));
    assertThat(onV2.digest()).isNotEqualTo(first.digest());
    Manifest v1 = registry.pullManifest(first.image());
    Manifest v2 = registry.pullManifest(onV2.image());
    JsonNode appLayer1 = v1.json().get("layers").get(v1.json().get("layers").size() - 1);
    JsonNode appLayer2 = v2.json().get("layers").get(v2.json().get("layers").size() - 1);
    assertThat(appLayer2).as("the /app layer is byte-identical on the new base").isEqualTo(appLayer1);
    assertThat(onV2.bytesUploaded()).as("config, symlink base and manifests only: the app layer is not re-uploaded")
        .isLessThan(appLayer1.get("size").asLong());
  }

  @Test
  void missingScriptInterpreterPushesNothing() {
    assertThatThrownBy(() -> shrinker.shrink(request("shrink/distroless:1", "shrink/app-broken:1", false)))
        .isInstanceOfSatisfying(ShrinkException.class, e -> assertThat(e.reason()).isEqualTo(ShrinkException.INTERPRETER_MISSING))
        .hasMessageContaining("/app/run.sh needs its script interpreter /bin/sh");
    assertThat(images.tags("shrink/app-broken")).isEmpty();
  }

  @Test
  void allowMissingPushesWithAWarning() {
    ShrinkResult result = shrinker.shrink(request("shrink/distroless:1", "shrink/app-allowed:1", true));
    assertThat(result.warnings()).anyMatch(w -> w.contains("/bin/sh"));
    assertThat(images.tags("shrink/app-allowed")).containsExactly("1");
  }

  @Test
  void cliPrintsTheSavingsAndExitsThreeWhenTheInterpreterIsMissing() {
    Cli.Run ok = Cli.run(Map.of(), "shrink", "--image", host + "/shrink/app:1", "--base", host + "/shrink/slim:1",
        "--path", "/app", "--target", host + "/shrink/app-cli:1", "--insecure-registry", host);
    assertThat(ok.exitCode()).as(ok.toString()).isZero();
    JsonNode out = ok.json();
    assertThat(out.get("image").asText()).startsWith(host + "/shrink/app-cli@sha256:");
    assertThat(out.at("/savings/original/packages").asInt()).as(ok.toString()).isEqualTo(120);
    assertThat(out.at("/savings/slim/packages").asInt()).isEqualTo(3);
    assertThat(out.at("/savings/packagesRemoved")).hasSize(117);
    assertThat(out.at("/savings/savedBytes").asLong()).isPositive();
    assertThat(out.at("/platforms/0/platform").asText()).isEqualTo("linux/amd64");

    Cli.Run refused = Cli.run(Map.of(), "shrink", "--image", host + "/shrink/app:1", "--base", host + "/shrink/distroless:1",
        "--path", "/app", "--target", host + "/shrink/app-cli-broken:1", "--insecure-registry", host);
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(3);
    assertThat(refused.stderr()).contains("InterpreterMissing").contains("/bin/sh");
    assertThat(refused.stdout()).isEmpty();
    assertThat(images.tags("shrink/app-cli-broken")).isEmpty();
  }

  @Test
  void worksAgainstARegistryWithBasicAuthOverPlainHttp() {
    RegistryServer auth = RegistryServer.sharedWithAuth();
    TestImages seeded = new TestImages(auth);
    PushedImage base = seeded.image().layer(Layer.builder().dir("bin").file("bin/sh", shell, 0755)
        .dir("lib64").file("lib64/ld-linux-x86-64.so.2", ld(), 0755).build(), "ADD slim /").push("auth/slim:1");
    seeded.on(base).layer(Layer.builder().dir("app").executable("app/run.sh", "#!/bin/sh\n").build(), "COPY app /app")
        .entrypoint("/app/run.sh").push("auth/app:1");
    try (ImageRegistry authRegistry = new JibImageRegistry(auth.credentials(), auth.options())) {
      Shrinker authShrinker = new Shrinker(authRegistry, new JibLayeredImageBuilder(auth.credentials(), auth.options()));
      ShrinkResult result = authShrinker.shrink(new ShrinkRequest(ImageRef.parse(auth.host() + "/auth/app:1"),
          ImageRef.parse(auth.host() + "/auth/slim:1"), Optional.empty(), ImageRef.parse(auth.host() + "/auth/app-slim:1"),
          List.of("/app"), Map.of(), false, Optional.empty()));
      assertThat(seeded.tags("auth/app-slim")).containsExactly("1");
      assertThat(result.baseDigest()).isEqualTo(base.digest());
    }
  }

  private static ShrinkRequest request(String base, String target, boolean allowMissing) {
    return new ShrinkRequest(ImageRef.parse(host + "/shrink/app:1"), ImageRef.parse(host + "/" + base), Optional.empty(),
        ImageRef.parse(host + "/" + target), List.of("/app"), Map.of(), allowMissing, Optional.empty());
  }

  private static dev.slim.testing.ImageSpec slim(String version, boolean withShell) {
    Layer.Builder rootfs = Layer.builder();
    if (withShell) {
      rootfs.dir("bin").file("bin/sh", shell, 0755);
    }
    rootfs.dir("etc").file("etc/os-release", "ID=slim\nVERSION_ID=" + version + "\n")
        .dir("lib64").file("lib64/ld-linux-x86-64.so.2", ld(), 0755)
        .dir("var").dir("var/lib").dir("var/lib/dpkg").dir("var/lib/dpkg/status.d");
    for (String name : SLIM_PACKAGES) {
      rootfs.file("var/lib/dpkg/status.d/" + name, "Package: " + name + "\nVersion: " + version + "\nArchitecture: amd64\n");
    }
    return images.image().env("PATH=/usr/bin:/bin").env("SLIM=" + version).user("65532").layer(rootfs.build(), "ADD slim /");
  }

  /** A dpkg status of {@code n} installed packages, three of them the slim base's. */
  private static String dpkgStatus(int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String name = i < SLIM_PACKAGES.size() ? SLIM_PACKAGES.get(i) : String.format("pkg-%03d", i);
      s.append("Package: ").append(name).append("\nStatus: install ok installed\nVersion: 1.").append(i)
          .append("\nArchitecture: amd64\nDescription: package ").append(i).append("\n\n");
    }
    s.append("Package: removed-one\nStatus: deinstall ok config-files\nVersion: 1\n\n");
    return s.toString();
  }

  /** Bytes gzip cannot shrink, standing in for the fat base's bulk. */
  private static byte[] noise(int size) {
    byte[] bytes = new byte[size];
    new java.util.Random(42).nextBytes(bytes);
    return bytes;
  }

  private static byte[] ld() {
    return "not really ld.so, but executable and present".getBytes();
  }

  private static byte[] jarLike() {
    byte[] jar = noise(64 * 1024);
    jar[0] = 'P';
    jar[1] = 'K';
    jar[2] = 3;
    jar[3] = 4;
    return jar;
  }

  /** Every entry of an image as its layers leave it, read back from the registry with an independent tar reader. */
  private static Map<String, TarArchiveEntry> unpack(ImageRef image) throws IOException {
    Map<String, TarArchiveEntry> files = new TreeMap<>();
    for (JsonNode layer : registry.pullManifest(image).json().get("layers")) {
      try (InputStream blob = registry.openBlob(image, Digest.parse(layer.get("digest").asText()));
          TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(blob))) {
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
          String name = "/" + e.getName().replaceAll("^\\./", "").replaceAll("^/", "").replaceAll("/$", "");
          String base = name.substring(name.lastIndexOf('/') + 1);
          if (base.startsWith(".wh.")) {
            String hidden = name.substring(0, name.lastIndexOf('/') + 1) + base.substring(4);
            new TreeSet<>(files.keySet()).stream().filter(p -> p.equals(hidden) || p.startsWith(hidden + "/")).forEach(files::remove);
          } else {
            files.put(name, e);
          }
        }
      }
    }
    return files;
  }
}
