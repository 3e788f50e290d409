package dev.slim.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the built {@code slimimage.jar} as a user would, in its own JVM with its own environment,
 * so tests see the real exit code, stdout and stderr.
 */
public final class Cli {

  /** What one run printed and returned. */
  public record Run(int exitCode, String stdout, String stderr) {
    /** stdout parsed as the one JSON object the CLI promises. */
    public JsonNode json() {
      try {
        return new ObjectMapper().readTree(stdout);
      } catch (IOException e) {
        throw new AssertionError("stdout is not one JSON object: " + stdout + "\nstderr: " + stderr, e);
      }
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
  }

  private Cli() {}

  /** Runs the jar with {@code args} and extra environment variables (e.g. DOCKER_CONFIG). */
  public static Run run(Map<String, String> env, String... args) {
    String jar = System.getProperty("slimimage.jar", "target/slimimage.jar");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
    command.addAll(List.of(args));
    try {
      Path out = Files.createTempFile("slimimage-cli", ".out");
      Path err = Files.createTempFile("slimimage-cli", ".err");
      ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().remove("SLIMIMAGE_INSECURE_REGISTRIES");
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("slimimage " + String.join(" ", args) + " did not finish in 120 s");
      }
      Run run = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
      Files.delete(out);
      Files.delete(err);
      return run;
    } catch (IOException e) {
      throw new AssertionError("cannot run " + jar + ": build it with mvn package first", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
