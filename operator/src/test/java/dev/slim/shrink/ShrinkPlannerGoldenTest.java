package dev.slim.shrink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slim.rebase.RebasePlanner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the shrink planner over every case under {@code golden/shrink/}: {@code input.json} must
 * give {@code expected.json}, or fail as {@code expected-error.json} says. Run with
 * {@code -Dgolden.update=true} to rewrite the expected files after an intended change, then
 * review the diff.
 */
class ShrinkPlannerGoldenTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path GOLDEN = Path.of("src/test/resources/golden/shrink");
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  static Stream<Path> cases() throws IOException {
    return Files.list(GOLDEN).filter(Files::isDirectory).sorted();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void planMatchesGolden(Path dir) throws IOException {
    JsonNode input = JSON.readTree(dir.resolve("input.json").toFile());
    Path error = dir.resolve("expected-error.json");
    if (Files.exists(error)) {
      JsonNode expected = JSON.readTree(error.toFile());
      assertThatThrownBy(() -> ShrinkPlanner.plan(input))
          .isInstanceOfSatisfying(ShrinkException.class, e -> assertThat(e.reason()).isEqualTo(expected.get("reason").asText()))
          .hasMessageContaining(expected.get("message").asText());
      return;
    }
    JsonNode plan = ShrinkPlanner.plan(input);
    assertThat(RebasePlanner.serialize(ShrinkPlanner.plan(input))).as("same inputs, same bytes").isEqualTo(RebasePlanner.serialize(plan));
    Path expected = dir.resolve("expected.json");
    if (UPDATE || !Files.exists(expected)) {
      Files.writeString(expected, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(plan) + "\n");
    }
    assertThat(RebasePlanner.serialize(plan))
        .as("%s: plan differs from expected.json", dir.getFileName())
        .isEqualTo(RebasePlanner.serialize(JSON.readTree(expected.toFile())));
  }
}
