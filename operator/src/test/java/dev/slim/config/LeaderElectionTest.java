package dev.slim.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Leader election is off unless asked for, and then needs a namespace for its Lease. */
class LeaderElectionTest {

  @Test
  void offByDefault() {
    LeaderElection le = LeaderElection.fromEnv(Map.of());
    assertThat(le.enabled()).isFalse();
    assertThat(OperatorConfig.fromEnv(Map.of()).leaderElection().enabled()).isFalse();
  }

  @Test
  void theLeaseLivesInThePodsNamespaceWithClientGoTiming() {
    LeaderElection le = LeaderElection.fromEnv(Map.of("SLIMIMAGE_LEADER_ELECTION", "true", "POD_NAMESPACE", "slimimage-system"));
    assertThat(le.enabled()).isTrue();
    assertThat(le.leaseNamespace()).isEqualTo("slimimage-system");
    assertThat(le.leaseName()).isEqualTo("slimimage-operator");
    assertThat(le.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(le.renewDeadline()).isEqualTo(Duration.ofSeconds(10));
    assertThat(le.retryPeriod()).isEqualTo(Duration.ofSeconds(2));
    assertThat(le.describe()).contains("lease=slimimage-system/slimimage-operator");
  }

  @Test
  void anExplicitLeaseNamespaceWins() {
    LeaderElection le = LeaderElection.fromEnv(Map.of("SLIMIMAGE_LEADER_ELECTION", "TRUE",
        "POD_NAMESPACE", "a", "SLIMIMAGE_LEASE_NAMESPACE", "b", "SLIMIMAGE_LEASE_NAME", "mine"));
    assertThat(le.leaseNamespace()).isEqualTo("b");
    assertThat(le.leaseName()).isEqualTo("mine");
  }

  @Test
  void enabledWithoutANamespaceNamesTheVariableToSet() {
    assertThatThrownBy(() -> LeaderElection.fromEnv(Map.of("SLIMIMAGE_LEADER_ELECTION", "true")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("POD_NAMESPACE");
  }

  @Test
  void rejectsAFlagThatIsNeitherTrueNorFalse() {
    assertThatThrownBy(() -> LeaderElection.fromEnv(Map.of("SLIMIMAGE_LEADER_ELECTION", "yes")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SLIMIMAGE_LEADER_ELECTION=yes");
  }

  @Test
  void theLeaseMustOutlastTheRenewDeadlineWhichMustOutlastTheRetry() {
    assertThatThrownBy(() -> LeaderElection.fromEnv(Map.of("SLIMIMAGE_LEADER_ELECTION", "true", "POD_NAMESPACE", "x",
        "SLIMIMAGE_LEASE_DURATION", "5s", "SLIMIMAGE_LEASE_RENEW_DEADLINE", "10s")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SLIMIMAGE_LEASE_DURATION > SLIMIMAGE_LEASE_RENEW_DEADLINE");
  }
}
