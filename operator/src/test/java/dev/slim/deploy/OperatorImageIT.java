package dev.slim.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slim.testing.ImageFilesystem;
import dev.slim.testing.Layer;
import dev.slim.testing.ProjectRoot;
import dev.slim.testing.PushedImage;
import dev.slim.testing.RegistryServer;
import dev.slim.testing.TestImages;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's own image, built by jib-maven-plugin as a user would build it, onto a JRE-like
 * base seeded in a local registry (public bases cannot be pulled here), then read back: non-root,
 * exec-form java entrypoint with the main class, no shell anywhere, and runnable as unpacked.
 */
class OperatorImageIT {

  private static final String BASE = "slim/jre:17";
  private static final String TARGET = "slim/slimimage-operator:it";
  private static final List<String> SHELLS = List.of("bin/sh", "usr/bin/sh", "bin/bash", "usr/bin/bash", "bin/busybox");

  @TempDir static Path unpacked;
  private static RegistryServer registry;
  private static PushedImage base;
  private static ImageFilesystem image;
  private static String buildLog;

  @BeforeAll
  static void buildTheImage() throws Exception {
    registry = RegistryServer.shared();
    TestImages images = new TestImages(registry);
    // A stand-in for cgr.dev/chainguard/jre: a java on PATH, a nonroot user, and no shell.
    base = images.image()
        .env("PATH=/usr/sbin:/sbin:/usr/bin:/bin")
        .env("JAVA_HOME=/usr/lib/jvm/java-17-openjdk")
        .user("65532")
        .layer(Layer.builder()
            .dir("etc").file("etc/passwd", "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")
            .dir("usr").dir("usr/bin").executable("usr/bin/java", "not a real JVM: the test runs the app with the host's\n")
            .dir("home").dir("home/nonroot")
            .build(), "apk add openjdk-17-jre")
        .push(BASE);

    Path log = Files.createTempFile("jib-build", ".log");
    List<String> command = new ArrayList<>(List.of(mvn(), "-B", "-ntp",
        "-f", ProjectRoot.resolve("operator/pom.xml").toString(),
        "jib:build",
        "-Djib.from.image=" + registry.host() + "/" + BASE,
        "-Djib.to.image=" + registry.host() + "/" + TARGET,
        "-Djib.allowInsecureRegistries=true",
        "-Djib.console=plain"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean done = p.waitFor(8, TimeUnit.MINUTES);
    buildLog = Files.readString(log);
    if (!done || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new AssertionError("jib:build failed:\n" + buildLog);
    }
    image = ImageFilesystem.pull(registry.host(), "slim/slimimage-operator", "it", unpacked);
  }

  @Test
  void runsAsTheNonRootUser() {
    assertThat(image.config().path("config").path("User").asText()).isEqualTo("65532:65532");
  }

  @Test
  void entrypointIsJavaWithTheMainClassAndTheDefaultCommandIsRun() {
    List<String> entrypoint = strings(image.config().path("config").path("Entrypoint"));
    assertThat(entrypoint.get(0)).isEqualTo("java");
    assertThat(entrypoint).last().isEqualTo("dev.slim.Main");
    assertThat(entrypoint).doesNotContain("/bin/sh", "sh", "-c");
    assertThat(strings(image.config().path("config").path("Cmd"))).containsExactly("run");
  }

  @Test
  void sitsOnTheSeededBaseAndKeepsItsEnvironment() {
    assertThat(image.config().path("rootfs").path("diff_ids").get(0).asText()).isEqualTo(base.diffIds().get(0).value());
    assertThat(strings(image.config().path("config").path("Env"))).contains("PATH=/usr/sbin:/sbin:/usr/bin:/bin");
    assertThat(image.paths()).containsKey("usr/bin/java");
  }

  @Test
  void noShellInAnyLayer() {
    assertThat(image.present(SHELLS)).isEmpty();
  }

  @Test
  void theImagesClasspathRunsTheOperatorCli() throws Exception {
    // What the entrypoint would run, with the host's java and the unpacked /app.
    List<String> command = new ArrayList<>();
    for (String arg : strings(image.config().path("config").path("Entrypoint"))) {
      if (arg.equals("java")) {
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      } else if (arg.startsWith("@/")) {
        String classpath = Files.readString(unpacked.resolve(arg.substring(2))).trim();
        command.add(List.of(classpath.split(":")).stream()
            .map(entry -> unpacked.resolve(entry.substring(1)).toString())
            .collect(Collectors.joining(File.pathSeparator)));
      } else {
        command.add(arg);
      }
    }
    command.add("--version");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("slimimage");
    long own = image.layerBytes(base.layers().size());
    System.out.printf("operator image: %d layers on the base, %.1f MiB compressed (base stand-in %d bytes)%n",
        image.manifest().path("layers").size() - base.layers().size(), own / 1048576.0, image.layerBytes(0) - own);
  }

  /** The mvn of the Maven running this build (failsafe passes maven.home), else mvn on PATH. */
  private static String mvn() {
    String home = System.getProperty("maven.home");
    if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
      return Path.of(home, "bin", "mvn").toString();
    }
    return "mvn";
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
