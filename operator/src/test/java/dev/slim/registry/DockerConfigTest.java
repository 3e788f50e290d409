package dev.slim.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DockerConfig's file lookup and RegistryCredentials' parsing of the auths section. */
class DockerConfigTest {

  @TempDir Path dir;

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void readsAuthAndUsernamePasswordEntries() {
    String auth = Base64.getEncoder().encodeToString(json("alice:s3cret:with:colons"));
    RegistryCredentials c = RegistryCredentials.fromDockerConfig(json("""
        {"auths": {
          "127.0.0.1:5000": {"auth": "%s"},
          "https://index.docker.io/v1/": {"username": "bob", "password": "hunter2"},
          "ghcr.io": {}
        }}""".formatted(auth)), "config.json");

    assertThat(c.forRegistry("127.0.0.1:5000")).contains(new RegistryCredentials.Login("alice", "s3cret:with:colons"));
    assertThat(c.forRegistry("registry-1.docker.io")).contains(new RegistryCredentials.Login("bob", "hunter2"));
    assertThat(c.forRegistry("ghcr.io")).isEmpty();
  }

  @Test
  void malformedEntriesNameTheSourceAndTheEntry() {
    assertThatThrownBy(() -> RegistryCredentials.fromDockerConfig(json("{\"auths\":{\"r\":{\"auth\":\"%%%\"}}}"), "/home/u/.docker/config.json"))
        .hasMessage("/home/u/.docker/config.json: auths.r.auth is not base64");
    String noColon = Base64.getEncoder().encodeToString(json("justauser"));
    assertThatThrownBy(() -> RegistryCredentials.fromDockerConfig(json("{\"auths\":{\"r\":{\"auth\":\"" + noColon + "\"}}}"), "Secret shop/pull"))
        .hasMessage("Secret shop/pull: auths.r.auth must be base64 of USERNAME:PASSWORD");
    assertThatThrownBy(() -> RegistryCredentials.fromDockerConfig(json("{not json"), "Secret shop/pull"))
        .hasMessage("Secret shop/pull is not valid JSON");
  }

  @Test
  void toStringHidesSecrets() {
    RegistryCredentials c = RegistryCredentials.fromDockerConfig(
        json("{\"auths\":{\"r.example\":{\"username\":\"bob\",\"password\":\"hunter2\"}}}"), "x");
    assertThat(c.toString()).contains("r.example").doesNotContain("hunter2");
    assertThat(c.forRegistry("r.example").orElseThrow().toString()).doesNotContain("hunter2");
  }

  @Test
  void loadsFromDockerConfigDirElseHome() throws IOException {
    Path custom = Files.createDirectories(dir.resolve("custom"));
    Files.writeString(custom.resolve("config.json"), "{\"auths\":{\"a.example\":{\"username\":\"u\",\"password\":\"p\"}}}");
    Path home = dir.resolve("home");
    Files.createDirectories(home.resolve(".docker"));
    Files.writeString(home.resolve(".docker/config.json"), "{\"auths\":{\"b.example\":{\"username\":\"u\",\"password\":\"p\"}}}");

    assertThat(DockerConfig.load(Map.of("DOCKER_CONFIG", custom.toString()), home.toString()).forRegistry("a.example")).isPresent();
    assertThat(DockerConfig.load(Map.of(), home.toString()).forRegistry("b.example")).isPresent();
    assertThat(DockerConfig.load(Map.of(), dir.resolve("nobody").toString()).isEmpty()).isTrue();
  }

  @Test
  void malformedFileIsNamedInTheError() throws IOException {
    Path file = dir.resolve("config.json");
    Files.writeString(file, "[1,2]");
    assertThatThrownBy(() -> DockerConfig.load(file)).hasMessageContaining(file.toString());
  }
}
