package dev.slim.rebase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slim.registry.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the planner over every case under {@code golden/}: {@code input.json} must give
 * {@code expected.json}, or fail as {@code expected-error.json} says. Run with
 * {@code -Dgolden.update=true} to rewrite the expected files after an intended change, then
 * review the diff.
 */
class RebasePlannerGoldenTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path GOLDEN = Path.of("src/test/resources/golden");
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  static Stream<Path> rebaseCases() throws IOException {
    return cases("rebase");
  }

  static Stream<Path> indexCases() throws IOException {
    return cases("index");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rebaseCases")
  void rebasePlanMatchesGolden(Path dir) throws IOException {
    JsonNode input = JSON.readTree(dir.resolve("input.json").toFile());
    Path error = dir.resolve("expected-error.json");
    if (Files.exists(error)) {
      JsonNode expected = JSON.readTree(error.toFile());
      assertThatThrownBy(() -> RebasePlanner.plan(input))
          .isInstanceOfSatisfying(RebaseException.class, e -> assertThat(e.reason()).isEqualTo(expected.get("reason").asText()))
          .hasMessageContaining(expected.get("message").asText());
      return;
    }
    JsonNode plan = RebasePlanner.plan(input);
    byte[] config = RebasePlanner.serialize(plan.get("config"));
    assertThat(plan.at("/manifest/config/digest").asText()).isEqualTo(Digest.of(config).value());
    assertThat(plan.at("/manifest/config/size").asLong()).isEqualTo(config.length);
    assertThat(RebasePlanner.serialize(RebasePlanner.plan(input)))
        .as("same inputs, same bytes")
        .isEqualTo(RebasePlanner.serialize(plan));
    assertGolden(dir, plan);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("indexCases")
  void indexPlanMatchesGolden(Path dir) throws IOException {
    assertGolden(dir, RebasePlanner.planIndex(JSON.readTree(dir.resolve("input.json").toFile())));
  }

  private static void assertGolden(Path dir, JsonNode actual) throws IOException {
    Path expected = dir.resolve("expected.json");
    if (UPDATE || !Files.exists(expected)) {
      Files.writeString(expected, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(actual) + "\n");
    }
    JsonNode golden = JSON.readTree(expected.toFile());
    assertThat(RebasePlanner.serialize(actual))
        .as("%s: plan differs from expected.json (field order counts: it changes the digest)", dir.getFileName())
        .isEqualTo(RebasePlanner.serialize(golden));
  }

  private static Stream<Path> cases(String kind) throws IOException {
    return Files.list(GOLDEN.resolve(kind)).filter(Files::isDirectory).sorted();
  }
}
