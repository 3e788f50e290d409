package dev.slim.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Defaults, parsing and error messages of the environment configuration. */
class OperatorConfigTest {

  @Test
  void defaultsWhenNothingIsSet() {
    OperatorConfig c = OperatorConfig.fromEnv(Map.of());
    assertThat(c.allNamespaces()).isTrue();
    assertThat(c.insecureRegistries()).isEmpty();
    assertThat(c.metricsPort()).isEqualTo(8080);
    assertThat(c.defaultPollInterval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.minPollInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.describe()).contains("SLIMIMAGE_NAMESPACES=(all)", "SLIMIMAGE_DEFAULT_POLL_INTERVAL=5m");
  }

  @Test
  void readsListsAndDurations() {
    OperatorConfig c = OperatorConfig.fromEnv(Map.of(
        "SLIMIMAGE_NAMESPACES", "shop, billing",
        "SLIMIMAGE_INSECURE_REGISTRIES", "localhost:5000,127.0.0.1:5001",
        "SLIMIMAGE_METRICS_PORT", "9090",
        "SLIMIMAGE_DEFAULT_POLL_INTERVAL", "1h30m",
        "SLIMIMAGE_MIN_POLL_INTERVAL", "30s"));
    assertThat(c.namespaces()).containsExactlyInAnyOrder("shop", "billing");
    assertThat(c.insecureRegistries()).isEqualTo(Set.of("localhost:5000", "127.0.0.1:5001"));
    assertThat(c.metricsPort()).isEqualTo(9090);
    assertThat(c.defaultPollInterval()).isEqualTo(Duration.ofMinutes(90));
    assertThat(c.pollInterval(Duration.ofSeconds(5))).as("raised to the minimum").isEqualTo(Duration.ofSeconds(30));
    assertThat(c.pollInterval(null)).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void errorsNameTheVariable() {
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("SLIMIMAGE_METRICS_PORT", "http")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SLIMIMAGE_METRICS_PORT=http");
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("SLIMIMAGE_DEFAULT_POLL_INTERVAL", "5 minutes")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SLIMIMAGE_DEFAULT_POLL_INTERVAL");
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("SLIMIMAGE_NAMESPACES", "Shop")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SLIMIMAGE_NAMESPACES");
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("SLIMIMAGE_DEFAULT_POLL_INTERVAL", "5s")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SLIMIMAGE_MIN_POLL_INTERVAL");
  }

  @Test
  void goDurationsRoundTrip() {
    assertThat(GoDuration.parse("1h2m3s")).isEqualTo(Duration.ofSeconds(3723));
    assertThat(GoDuration.format(Duration.ofSeconds(3723))).isEqualTo("1h2m3s");
    assertThat(GoDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
  }
}
