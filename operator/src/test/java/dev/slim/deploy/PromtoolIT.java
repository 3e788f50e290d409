package dev.slim.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slim.testing.DebianPackage;
import dev.slim.testing.ProjectRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The alert rules pass Prometheus's own checker and their unit tests on synthetic series. */
class PromtoolIT {

  private static final Path MONITORING = ProjectRoot.resolve("deploy/monitoring");

  @Test
  void rulesFileIsValid() throws Exception {
    String out = promtool("check", "rules", "slimimage.rules.yaml");
    assertThat(out).contains("SUCCESS: 3 rules found");
  }

  @Test
  void alertUnitTestsPass() throws Exception {
    String out = promtool("test", "rules", "slimimage.rules.test.yaml");
    assertThat(out).contains("SUCCESS");
  }

  /** Runs promtool in deploy/monitoring and returns its output; fails the test on a non-zero exit. */
  private static String promtool(String... args) throws Exception {
    Path promtool = DebianPackage.ensure("promtool", "prometheus");
    List<String> command = new java.util.ArrayList<>(List.of(promtool.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(MONITORING.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    System.out.println("promtool " + String.join(" ", args) + ":\n" + out);
    assertThat(p.exitValue()).as("promtool " + String.join(" ", args) + ":\n" + out).isZero();
    return out;
  }
}
