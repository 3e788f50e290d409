package dev.slim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs {@code make demo}'s script end to end, so the README's first command keeps working. */
class DemoIT {

  @Test
  void theDemoShowsEveryStepAndStopsEverything() throws Exception {
    Path root = Path.of(System.getProperty("slimimage.projectRoot", "..")).toAbsolutePath();
    Path dir = root.resolve("bench/target/demo-it");
    Path log = Files.createTempFile("slimimage-demo", ".log");
    ProcessBuilder pb = new ProcessBuilder(root.resolve("testbed/demo").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SLIMIMAGE_DEMO_DIR", dir.toString());
    Process demo = pb.start();
    boolean done = demo.waitFor(5, TimeUnit.MINUTES);
    if (!done) {
      demo.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);

    assertThat(done).as("the demo finished within 5 minutes:\n%s", out).isTrue();
    assertThat(demo.exitValue()).as(out).isZero();
    assertThat(out)
        .contains("new base digest seen after")
        .containsPattern("\\d+ bytes uploaded in \\d+ ms")
        .containsPattern("Deployment orders now runs \\S+/demo/orders:1.0-slim-[0-9a-f]{12}@sha256:[0-9a-f]{64}")
        .contains("slimimage_base_drift_seconds{name=\"orders\",namespace=\"demo\"} 0.0")
        .contains("Ready=True")
        .contains("stopped");
    assertThat(ProcessHandle.allProcesses()
            .filter(p -> p.info().commandLine().map(c -> c.contains(dir.toString())).orElse(false)))
        .as("no process of the demo left behind").isEmpty();
  }
}
