package dev.slim.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slim.api.v1alpha1.SlimImage;
import dev.slim.testing.ControlPlane;
import dev.slim.testing.OperatorProcess;
import dev.slim.testing.PushedImage;
import dev.slim.testing.RegistryServer;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two operator processes with the ServiceAccount of deploy/ against one API server: only the Lease
 * holder reconciles; when it dies (SIGKILL) the standby takes over within the lease duration and
 * finishes the next base update; when it is stopped (SIGTERM) it hands the Lease over at once.
 */
class LeaderElectionIT {

  static final Duration LEASE = Duration.ofSeconds(6);
  static final Duration RENEW = Duration.ofSeconds(4);
  static final Duration RETRY = Duration.ofSeconds(1);
  private static final String LEASE_NAME = "slimimage-operator-leader-it";

  private final ControlPlane cluster = ControlPlane.shared();
  private final RegistryServer registry = RegistryServer.shared();
  private final Map<String, OperatorProcess> operators = new HashMap<>();
  private String namespace;

  @AfterEach
  void stopAll() {
    operators.values().forEach(o -> {
      o.close();
      System.out.println("--- log of " + o + " ---\n" + o.log());
    });
  }

  @Test
  void onlyTheLeaseHolderReconcilesAndAStandbyTakesOver() throws Exception {
    DeployedRbac rbac = DeployedRbac.apply(cluster);
    Path kubeconfig = rbac.kubeconfig(Files.createTempFile("operator-sa", ".kubeconfig"));
    BaseUpdateScenario scenario = new BaseUpdateScenario(cluster.admin(), registry, "leader").seed();

    namespace = scenario.namespace;
    OperatorProcess a = start("op-a", kubeconfig);
    await().atMost(Duration.ofSeconds(60)).until(() -> "op-a".equals(holder()));
    OperatorProcess b = start("op-b", kubeconfig);
    await().atMost(Duration.ofSeconds(30)).until(() -> b.get("/readyz") != null && b.get("/readyz").statusCode() == 200);
    scenario.awaitPinnedOn(scenario.baseV1, Duration.ofSeconds(60));

    // The standby is ready and watching, but has reconciled nothing.
    assertThat(a.sample("slimimage_leader")).isEqualTo(1.0);
    assertThat(b.sample("slimimage_leader")).isEqualTo(0.0);
    assertThat(reconciliations(a)).isPositive();
    assertThat(reconciliations(b)).isZero();
    assertThat(holder()).isEqualTo("op-a");

    // Crash the leader: nothing releases the Lease, so the standby waits for it to expire.
    long killed = System.nanoTime();
    a.kill();
    PushedImage v2 = scenario.publishNewBase();
    await().atMost(LEASE.plus(RETRY.multipliedBy(5))).pollInterval(Duration.ofMillis(100)).until(() -> "op-b".equals(holder()));
    Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
    System.out.printf("takeover after SIGKILL: %d ms (lease duration %d ms, retry period %d ms)%n",
        takeover.toMillis(), LEASE.toMillis(), RETRY.toMillis());
    // The Lease expires at most LEASE after the kill (the last renewal came before it); the
    // standby notices at its next try, fabric8 jitters retries up to 2.2 periods.
    assertThat(takeover).isLessThanOrEqualTo(LEASE.plus(RETRY.multipliedBy(3)));
    scenario.awaitPinnedOn(v2, Duration.ofSeconds(60));
    SlimImage after = scenario.awaitStatus("orders", Duration.ofSeconds(30), s -> s.workloadsBehind() != null && s.workloadsBehind() == 0
        && v2.digest().value().equals(s.base().digest()));
    assertThat(after.getStatus().image().baseDigest()).isEqualTo(v2.digest().value());
    assertThat(b.sample("slimimage_leader")).isEqualTo(1.0);
    assertThat(reconciliations(b)).isPositive();

    // A polite stop (rolling update): the leader releases the Lease and the standby takes it at its next retry.
    OperatorProcess c = start("op-c", kubeconfig);
    await().atMost(Duration.ofSeconds(30)).until(() -> c.get("/readyz") != null && c.get("/readyz").statusCode() == 200);
    long stopped = System.nanoTime();
    b.stop();
    await().atMost(LEASE.plus(RETRY.multipliedBy(3))).pollInterval(Duration.ofMillis(100)).until(() -> "op-c".equals(holder()));
    Duration handover = Duration.ofNanos(System.nanoTime() - stopped);
    System.out.printf("handover after SIGTERM: %d ms%n", handover.toMillis());
    assertThat(handover).as("released on SIGTERM, not left to expire").isLessThan(LEASE);
    PushedImage v3 = scenario.publishNewBase();
    scenario.awaitPinnedOn(v3, Duration.ofSeconds(60));
  }

  private OperatorProcess start(String name, Path kubeconfig) {
    Map<String, String> env = new HashMap<>(BaseUpdateScenario.operatorEnv(registry));
    env.put("SLIMIMAGE_NAMESPACES", namespace);
    env.put("SLIMIMAGE_LEADER_ELECTION", "true");
    env.put("POD_NAMESPACE", DeployedRbac.NAMESPACE);
    env.put("SLIMIMAGE_LEASE_NAME", LEASE_NAME);
    env.put("SLIMIMAGE_LEASE_DURATION", LEASE.toSeconds() + "s");
    env.put("SLIMIMAGE_LEASE_RENEW_DEADLINE", RENEW.toSeconds() + "s");
    env.put("SLIMIMAGE_LEASE_RETRY_PERIOD", RETRY.toSeconds() + "s");
    OperatorProcess p = OperatorProcess.start(name, kubeconfig, env);
    operators.put(name, p);
    return p;
  }

  private String holder() {
    Lease lease = cluster.admin().leases().inNamespace(DeployedRbac.NAMESPACE).withName(LEASE_NAME).get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static double reconciliations(OperatorProcess p) {
    double total = 0;
    for (String line : p.metrics().split("\n")) {
      if (line.startsWith("operator_sdk_reconciliations_started_total")) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }
}
