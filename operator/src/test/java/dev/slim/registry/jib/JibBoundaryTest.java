package dev.slim.registry.jib;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slim.testing.ProjectRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Keeps jib (and the HTTP library its API exposes) behind the dev.slim.registry.jib wall. */
class JibBoundaryTest {

  private static final List<String> WALLED = List.of("com.google.cloud.tools.jib", "com.google.api.client");

  @Test
  void onlyTheJibPackageUsesJib() throws IOException {
    Path sources = mainSources();
    Path allowed = sources.resolve("dev/slim/registry/jib");
    List<String> offenders;
    try (Stream<Path> files = Files.walk(sources)) {
      offenders = files
          .filter(p -> p.toString().endsWith(".java") && !p.startsWith(allowed))
          .filter(JibBoundaryTest::mentionsWalledPackage)
          .map(p -> sources.relativize(p).toString())
          .collect(Collectors.toList());
    }
    assertThat(Files.isDirectory(allowed)).isTrue();
    assertThat(offenders).as("files outside dev/slim/registry/jib that use jib").isEmpty();
  }

  private static boolean mentionsWalledPackage(Path file) {
    try {
      String text = Files.readString(file);
      return WALLED.stream().anyMatch(text::contains);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path mainSources() {
    return ProjectRoot.resolve("operator/src/main/java");
  }
}
