package dev.slim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.jib.JibImageRegistry;
import dev.slim.testing.Cli;
import dev.slim.testing.ImageSpec;
import dev.slim.testing.Layer;
import dev.slim.testing.PushedImage;
import dev.slim.testing.RegistryServer;
import dev.slim.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slimimage rebase} end to end: the built jar against a real Distribution registry, with
 * the result read back from the registry and checked layer by layer.
 */
class RebaseCliIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BASE_NAME = "org.opencontainers.image.base.name";
  private static final String BASE_DIGEST = "org.opencontainers.image.base.digest";

  private static RegistryServer registry;
  private static TestImages images;
  private static String host;
  private static PushedImage baseV1;
  private static PushedImage baseV2;
  private static PushedImage app;

  @BeforeAll
  static void seed() {
    registry = RegistryServer.shared();
    images = new TestImages(registry);
    host = registry.host();
    baseV1 = base("1", "linux/amd64", true).push("cli/base:1");
    baseV2 = base("2", "linux/amd64", true).push("cli/base:2");
    app = app(baseV1, "cli/base:1").push("cli/app:1.0");
  }

  @Test
  void rebasesOntoTheNewBaseByManifestSurgery() {
    Cli.Run run = rebase("cli/app:1.0", "cli/base:2", "cli/app-slim:1.0");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    JsonNode out = run.json();
    String digest = out.get("digest").asText();
    assertThat(out.get("image").asText()).isEqualTo(host + "/cli/app-slim@" + digest);
    assertThat(out.get("baseDigest").asText()).isEqualTo(baseV2.digest().value());
    assertThat(out.at("/platforms/0/platform").asText()).isEqualTo("linux/amd64");
    assertThat(out.get("bytesUploaded").asLong()).isLessThan(64 * 1024);
    assertThat(out.get("blobsUploaded").asInt()).as("only the config blob").isEqualTo(1);
    assertThat(out.get("blobsMounted").asInt()).isEqualTo(baseV2.layers().size() + 2);
    assertThat(out.has("durationMillis")).isTrue();

    JsonNode manifest = read(host + "/cli/app-slim:1.0");
    List<JsonNode> layers = list(manifest.get("layers"));
    List<JsonNode> expected = new ArrayList<>(list(baseV2.manifestJson().get("layers")));
    expected.addAll(list(app.manifestJson().get("layers")).subList(baseV1.layers().size(), app.layers().size()));
    assertThat(layers).as("new base layers, then the app's, descriptors as they were").isEqualTo(expected);
    assertThat(manifest.at("/annotations/org.opencontainers.image.title").asText()).isEqualTo("cli-app");
    assertThat(manifest.path("annotations").path(BASE_NAME).asText()).isEqualTo(host + "/cli/base:2");
    assertThat(manifest.path("annotations").path(BASE_DIGEST).asText()).isEqualTo(baseV2.digest().value());

    JsonNode config = JSON.valueToTree(blob("cli/app-slim", manifest.at("/config/digest").asText()));
    List<String> diffIds = new ArrayList<>();
    baseV2.diffIds().forEach(d -> diffIds.add(d.value()));
    app.diffIds().subList(baseV1.layers().size(), app.layers().size()).forEach(d -> diffIds.add(d.value()));
    assertThat(list(config.at("/rootfs/diff_ids")).stream().map(JsonNode::asText).toList()).isEqualTo(diffIds);
    assertThat(list(config.get("history")).stream().map(h -> h.get("created_by").asText()).toList()).containsExactly(
        "ADD rootfs-2 /", "ENV PATH=/usr/local/bin:/usr/bin", "USER 65532",
        "COPY lib /app/lib", "ENV APP_MODE=prod", "COPY app /app", "ENTRYPOINT [\"/app/run\"]");
    assertThat(list(config.get("history")).stream().filter(h -> h.path("empty_layer").asBoolean()).count()).isEqualTo(4);
    // Inherited settings follow the new base; the app's own stay.
    assertThat(list(config.at("/config/Env")).stream().map(JsonNode::asText).toList())
        .containsExactly("PATH=/usr/local/bin:/usr/bin", "BASE_VERSION=2", "APP_MODE=prod");
    assertThat(config.at("/config/Labels/base.version").asText()).isEqualTo("2");
    assertThat(config.at("/config/Labels/app").asText()).isEqualTo("orders");
    assertThat(config.at("/config/Entrypoint/0").asText()).isEqualTo("/app/run");
    assertThat(config.at("/config/User").asText()).isEqualTo("65532");
  }

  @Test
  void runningTheSameRebaseTwiceIsANoOp() {
    Cli.Run first = rebase("cli/app:1.0", "cli/base:2", "cli/app-twice:1.0");
    Cli.Run second = rebase("cli/app:1.0", "cli/base:2", "cli/app-twice:1.0");

    assertThat(second.exitCode()).as(second.toString()).isZero();
    assertThat(second.json().get("digest")).isEqualTo(first.json().get("digest"));
    assertThat(second.json().get("bytesUploaded").asLong()).isZero();
    assertThat(second.json().get("blobsUploaded").asInt()).isZero();
  }

  @Test
  void keepsTheDockerMediaTypes() {
    PushedImage v1 = base("1", "linux/amd64", false).push("cli/dbase:1");
    base("2", "linux/amd64", false).push("cli/dbase:2");
    app(v1, "cli/dbase:1").push("cli/dapp:1");

    Cli.Run run = rebase("cli/dapp:1", "cli/dbase:2", "cli/dapp-slim:1");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    JsonNode manifest = read(host + "/cli/dapp-slim:1");
    assertThat(manifest.get("mediaType").asText()).isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
    assertThat(manifest.at("/config/mediaType").asText()).isEqualTo("application/vnd.docker.container.image.v1+json");
  }

  @Test
  void rebasesEachPlatformOfAnIndexAndPushesTheIndexLast() {
    PushedImage armV1 = base("1", "linux/arm64/v8", true).push("cli/mbase:1-arm64");
    PushedImage armV2 = base("2", "linux/arm64/v8", true).push("cli/mbase:2-arm64");
    images.index(true).child(baseV1).child(armV1).push("cli/mbase:1");
    PushedImage baseIndex = images.index(true).child(baseV2).child(armV2).push("cli/mbase:2");
    PushedImage amdOnly = images.index(true).child(baseV2).push("cli/mbase:2-amd64-only");
    PushedImage appAmd = app(baseV1, "cli/mbase:1").push("cli/mapp:1-amd64");
    PushedImage appArm = app(armV1, "cli/mbase:1").push("cli/mapp:1-arm64");
    images.index(true).child(appAmd).child(appArm).annotation("org.opencontainers.image.version", "1.0").push("cli/mapp:1");

    Cli.Run run = rebase("cli/mapp:1", "cli/mbase:2", "cli/mapp-slim:1");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.json().get("baseDigest").asText()).isEqualTo(baseIndex.digest().value());
    assertThat(list(run.json().get("platforms")).stream().map(p -> p.get("platform").asText()).toList())
        .containsExactly("linux/amd64", "linux/arm64/v8");
    JsonNode index = read(host + "/cli/mapp-slim:1");
    assertThat(index.at("/annotations/org.opencontainers.image.version").asText()).isEqualTo("1.0");
    JsonNode arm = read(host + "/cli/mapp-slim@" + index.at("/manifests/1/digest").asText());
    assertThat(arm.at("/layers/0")).isEqualTo(armV2.manifestJson().at("/layers/0"));
    assertThat(index.at("/manifests/1/platform/architecture").asText()).isEqualTo("arm64");

    Cli.Run missing = rebase("cli/mapp:1", "cli/mbase:2-amd64-only", "cli/mapp-amd:1");
    assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(3);
    assertThat(missing.stderr()).contains("linux/arm64/v8").contains("--platform");
    assertThat(images.tags("cli/mapp-amd")).isEmpty();

    Cli.Run filtered = rebase("cli/mapp:1", "cli/mbase:2-amd64-only", "cli/mapp-amd:1", "--platform", "linux/amd64");
    assertThat(filtered.exitCode()).as(filtered.toString()).isZero();
    assertThat(filtered.json().get("baseDigest").asText()).isEqualTo(amdOnly.digest().value());
    assertThat(read(host + "/cli/mapp-amd:1").get("manifests")).hasSize(1);
  }

  @Test
  void singlePlatformAppOnAnIndexBaseUsesTheMatchingChild() {
    PushedImage armV2 = base("2", "linux/arm64/v8", true).push("cli/sbase:2-arm64");
    PushedImage index = images.index(true).child(armV2).child(baseV2).push("cli/sbase:2");

    Cli.Run run = rebase("cli/app:1.0", "cli/sbase:2", "cli/app-on-index:1.0");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.json().get("baseDigest").asText()).isEqualTo(index.digest().value());
    assertThat(read(host + "/cli/app-on-index:1.0").at("/layers/0")).isEqualTo(baseV2.manifestJson().at("/layers/0"));
  }

  @Test
  void appNotBuiltOnTheOldBaseExitsThreeAndPushesNothing() {
    PushedImage other = base("other", "linux/amd64", true).push("cli/other:1");

    Cli.Run run = rebase("cli/app:1.0", "cli/base:2", "cli/never:1.0", "--old-base", other.ref().toString());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
    assertThat(run.stderr()).contains("NotBasedOnOldBase").contains("layer 1 of 1 differs");
    assertThat(run.stdout()).isEmpty();
    assertThat(images.tags("cli/never")).isEmpty();
  }

  @Test
  void appWithoutBaseAnnotationsExitsThreeSayingHowToNameTheBase() {
    images.on(baseV1).layer(Layer.of(Map.of("app/x", "x")), "COPY x /app").push("cli/bare:1");

    Cli.Run run = rebase("cli/bare:1", "cli/base:2", "cli/bare-slim:1");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
    assertThat(run.stderr()).contains("--old-base");
    Cli.Run named = rebase("cli/bare:1", "cli/base:2", "cli/bare-slim:1", "--old-base", host + "/cli/base:1");
    assertThat(named.exitCode()).as(named.toString()).isZero();
  }

  @Test
  void anAppLayerRewritingThePackageDatabaseIsWarnedAboutOrRefused() {
    images.on(baseV1)
        .layer(Layer.builder().file("app/run", "run").file("var/lib/dpkg/status", "Package: curl\n").build(), "RUN apt-get install curl")
        .push("cli/dpkg-app:1");
    String oldBase = host + "/cli/base:1";

    Cli.Run warned = rebase("cli/dpkg-app:1", "cli/base:2", "cli/dpkg-app-slim:1", "--old-base", oldBase);
    assertThat(warned.exitCode()).as(warned.toString()).isZero();
    assertThat(warned.json().at("/warnings/0").asText()).contains("/var/lib/dpkg/status");
    assertThat(warned.stderr()).contains("/var/lib/dpkg/status");

    Cli.Run refused = rebase("cli/dpkg-app:1", "cli/base:2", "cli/dpkg-refused:1", "--old-base", oldBase,
        "--package-database-check", "refuse");
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(3);
    assertThat(refused.stderr()).contains("PackageDatabaseOverwritten");
    assertThat(images.tags("cli/dpkg-refused")).isEmpty();

    Cli.Run off = rebase("cli/dpkg-app:1", "cli/base:2", "cli/dpkg-app-slim:1", "--old-base", oldBase,
        "--package-database-check", "off");
    assertThat(off.json().get("warnings")).isEmpty();
  }

  @Test
  void invalidReferenceExitsTwo() {
    Cli.Run run = Cli.run(Map.of(), "rebase", "--image", "Not/Valid::", "--new-base", "b", "--target", "t");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.stderr()).contains("Not/Valid::");
  }

  @Test
  void credentialsComeFromTheDockerConfigAndWrongOnesExitFour(@TempDir Path home) throws IOException {
    RegistryServer secured = RegistryServer.sharedWithAuth();
    TestImages securedImages = new TestImages(secured);
    PushedImage v1 = securedImages.image().layer(Layer.of(Map.of("etc/base", "1")), "ADD base /").push("auth/base:1");
    securedImages.image().layer(Layer.of(Map.of("etc/base", "2")), "ADD base /").push("auth/base:2");
    securedImages.on(v1).layer(Layer.of(Map.of("app/run", "run")), "COPY app /").push("auth/app:1");
    String h = secured.host();
    String[] args = {"rebase", "--image", h + "/auth/app:1", "--new-base", h + "/auth/base:2", "--old-base", h + "/auth/base:1",
        "--target", h + "/auth/app-slim:1", "--insecure-registry", h};

    Files.write(home.resolve("config.json"), secured.dockerConfigJson());
    Cli.Run ok = Cli.run(Map.of("DOCKER_CONFIG", home.toString()), args);
    assertThat(ok.exitCode()).as(ok.toString()).isZero();

    Files.writeString(home.resolve("config.json"),
        "{\"auths\":{\"" + h + "\":{\"username\":\"slim\",\"password\":\"wrong-password\"}}}");
    Cli.Run wrong = Cli.run(Map.of("DOCKER_CONFIG", home.toString()), args);
    assertThat(wrong.exitCode()).as(wrong.toString()).isEqualTo(4);
    assertThat(wrong.stderr()).contains(h).contains("auth/app").doesNotContain("wrong-password");
  }

  @Test
  void unreachableRegistryExitsFourNamingIt() {
    String closed = "127.0.0.1:9";
    Cli.Run run = Cli.run(Map.of("SLIMIMAGE_INSECURE_REGISTRIES", closed),
        "rebase", "--image", closed + "/x/app:1", "--new-base", closed + "/x/base:2", "--target", closed + "/x/app:2");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(4);
    assertThat(run.stderr()).contains(closed);
  }

  private static Cli.Run rebase(String app, String newBase, String target, String... extra) {
    List<String> args = new ArrayList<>(List.of("rebase", "--image", host + "/" + app, "--new-base", host + "/" + newBase,
        "--target", host + "/" + target));
    args.addAll(List.of(extra));
    return Cli.run(Map.of("SLIMIMAGE_INSECURE_REGISTRIES", host), args.toArray(String[]::new));
  }

  /** A base: one layer, settings an app inherits, and empty-layer history. */
  private static ImageSpec base(String version, String platform, boolean oci) {
    var spec = images.image().platform(platform);
    spec = oci ? spec.oci() : spec.docker();
    return spec
        .layer(Layer.of(Map.of("etc/os-release", "VERSION=" + version + "\n", "usr/bin/tool", platform)), "ADD rootfs-" + version + " /")
        .env(version.equals("2") ? "PATH=/usr/local/bin:/usr/bin" : "PATH=/usr/bin")
        .history("ENV PATH=" + (version.equals("2") ? "/usr/local/bin:/usr/bin" : "/usr/bin"), true)
        .env("BASE_VERSION=" + version)
        .user("65532").history("USER 65532", true)
        .label("base.version", version);
  }

  /** An app on {@code base} with two layers, its own env and label, and base annotations. */
  private static ImageSpec app(PushedImage base, String baseName) {
    return images.on(base)
        .layer(Layer.of(Map.of("app/lib/dep.jar", "dep")), "COPY lib /app/lib")
        .env("APP_MODE=prod").history("ENV APP_MODE=prod", true)
        .layer(Layer.builder().executable("app/run", "#!/bin/sh\necho hi\n").build(), "COPY app /app")
        .entrypoint("/app/run").history("ENTRYPOINT [\"/app/run\"]", true)
        .label("app", "orders")
        .annotation("org.opencontainers.image.title", "cli-app")
        .annotation(BASE_NAME, host + "/" + baseName)
        .annotation(BASE_DIGEST, base.digest().value());
  }

  private static JsonNode read(String ref) {
    try {
      return JSON.readTree(images.manifestBytes(ImageRef.parse(ref)));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode blob(String repo, String digest) {
    try (var r = new JibImageRegistry(registry.credentials(), registry.options())) {
      return JSON.readTree(r.pullBlob(ImageRef.parse(host + "/" + repo), Digest.parse(digest)));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> items = new ArrayList<>();
    array.forEach(items::add);
    return items;
  }
}
