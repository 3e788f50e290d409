package dev.slim.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slim.testing.ProjectRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Java rendering of deploy/ is exactly what kubectl kustomize makes of it (where kubectl exists). */
class KustomizationTest {

  @Test
  void rendersWhatKubectlKustomizeRenders() throws Exception {
    Path kubectl = Path.of("/usr/bin/kubectl");
    assumeTrue(Files.isExecutable(kubectl), "kubectl is not installed; the Java rendering is checked by DeployManifestsTest only");
    Path out = Files.createTempFile("kustomize", ".yaml");
    Process p = new ProcessBuilder(kubectl.toString(), "kustomize", ProjectRoot.resolve("deploy").toString())
        .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    List<JsonNode> expected = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(out.toFile())) {
      Kustomization.YAML.readValues(parser, JsonNode.class).forEachRemaining(expected::add);
    }
    Files.delete(out);
    List<ObjectNode> actual = Kustomization.render(ProjectRoot.resolve("deploy"));
    assertThat(sorted(actual)).isEqualTo(sorted(expected));
  }

  private static List<JsonNode> sorted(List<? extends JsonNode> objects) {
    return objects.stream()
        .sorted(Comparator.comparing((JsonNode o) -> o.path("kind").asText()).thenComparing(o -> o.path("metadata").path("name").asText()))
        .map(JsonNode.class::cast)
        .toList();
  }
}
