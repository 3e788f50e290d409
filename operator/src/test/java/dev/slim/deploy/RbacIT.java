package dev.slim.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slim.OperatorRunner;
import dev.slim.OperatorRunner.RunningOperator;
import dev.slim.api.v1alpha1.Condition;
import dev.slim.api.v1alpha1.Conditions;
import dev.slim.api.v1alpha1.SlimImage;
import dev.slim.api.v1alpha1.SlimImageStatus;
import dev.slim.config.OperatorConfig;
import dev.slim.registry.jib.JibImageRegistry;
import dev.slim.testing.ControlPlane;
import dev.slim.testing.OperatorProcess;
import dev.slim.testing.PushedImage;
import dev.slim.testing.RegistryServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The RBAC of deploy/ on a real API server: the operator, authenticated only by a token of the
 * deploy/ ServiceAccount, completes the base-update story; a namespace where it may not patch
 * ends in a condition naming the workload while the operator keeps going; and each rule of the
 * ClusterRoles and the leader-election Role is shown to be needed by taking it away.
 */
class RbacIT {

  private static final Duration SOON = Duration.ofSeconds(60);
  private static ControlPlane cluster;
  private static RegistryServer registry;
  private static DeployedRbac rbac;

  @BeforeAll
  static void install() {
    cluster = ControlPlane.shared();
    registry = RegistryServer.shared();
    rbac = DeployedRbac.apply(cluster);
  }

  @Test
  void theServiceAccountCompletesABaseUpdateAndAForbiddenNamespaceIsACondition() throws Exception {
    BaseUpdateScenario allowed = new BaseUpdateScenario(cluster.admin(), registry, "rbac-allowed").seed();
    BaseUpdateScenario denied = new BaseUpdateScenario(cluster.admin(), registry, "rbac-denied").seed();
    Map<String, String> env = new HashMap<>(BaseUpdateScenario.operatorEnv(registry));
    env.putAll(Map.of("SLIMIMAGE_LEADER_ELECTION", "true", "POD_NAMESPACE", DeployedRbac.NAMESPACE,
        "SLIMIMAGE_LEASE_NAME", "slimimage-operator-rbac-it",
        // Two namespaces of its own: SlimImages other tests left on the shared API server stay out.
        "SLIMIMAGE_NAMESPACES", allowed.namespace + "," + denied.namespace));
    Path kubeconfig = rbac.kubeconfig(Files.createTempFile("operator-sa", ".kubeconfig"));
    // Patching allowed in one namespace only: deploy/03's documented RoleBinding alternative.
    try (AutoCloseable onlyAllowed = rbac.bindOnlyIn("slimimage-workload-patcher", List.of(allowed.namespace));
        OperatorProcess operator = OperatorProcess.start("op-rbac", kubeconfig, env)) {
      try {
        allowed.awaitPinnedOn(allowed.baseV1, SOON);
        SlimImage stalled = denied.awaitStatus("orders", SOON, s -> stalled(s, Conditions.PATCH_FORBIDDEN));
        assertThat(stalled.getStatus().condition(Conditions.STALLED).orElseThrow().message())
            .contains("Deployment orders", "CronJob orders-report", denied.namespace);
        assertThat(denied.deploymentImage()).isEqualTo(denied.app.ref().toString());

        PushedImage v2 = allowed.publishNewBase();
        allowed.awaitPinnedOn(v2, SOON);
        assertThat(allowed.get("orders").getStatus().condition(Conditions.READY).map(Condition::isTrue)).contains(true);
        assertThat(operatorEvents(allowed.namespace)).contains("Rebased", "WorkloadPinned");
        assertThat(operator.isAlive()).isTrue();
        assertThat(operator.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(operator.metrics()).contains("slimimage_workload_patches_total{kind=\"Deployment\",outcome=\"forbidden\"}");
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(e.getMessage() + "\n--- operator log ---\n" + operator.log(), e);
      }
    }
  }

  /** One dynamic test per rule of deploy/: without it, the operator shows the symptom named here. */
  @TestFactory
  Stream<DynamicTest> eachRuleIsNeeded() {
    Map<String, Consumer<Case>> symptoms = new LinkedHashMap<>();
    symptoms.put("slim.dev/slimimages list,watch", c -> c.startFails("slimimages"));
    symptoms.put("slim.dev/slimimages/status patch", c -> {
      // Reconciles and pins, but can never record it.
      c.start();
      await().atMost(SOON).until(() -> c.scenario.deploymentImage().contains("@sha256:"));
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> c.scenario.get("orders").getStatus() == null);
    });
    symptoms.put("/secrets get", c -> c.awaitApiError("secrets"));
    symptoms.put("/events create", c -> {
      // Everything works, but kubectl describe shows nothing of it.
      c.start();
      c.scenario.awaitPinnedOn(c.scenario.baseV1, SOON);
      assertThat(operatorEvents(c.scenario.namespace)).isEmpty();
    });
    symptoms.put("apps/deployments,statefulsets,daemonsets list", c -> c.awaitApiError("deployments"));
    symptoms.put("batch/cronjobs list", c -> c.awaitApiError("cronjobs"));
    symptoms.put("apps/deployments,statefulsets,daemonsets patch", c -> c.awaitForbidden("Deployment orders"));
    symptoms.put("batch/cronjobs patch", c -> c.awaitForbidden("CronJob orders-report"));
    symptoms.put("coordination.k8s.io/leases get,create,update,patch", c -> c.startFails("permission to lease"));

    List<DynamicTest> tests = new ArrayList<>();
    for (String[] role : List.of(new String[] {"ClusterRole", "slimimage-operator"},
        new String[] {"ClusterRole", "slimimage-workload-patcher"}, new String[] {"Role", "slimimage-leader-election"})) {
      JsonNode rules = rbac.rules(role[0], role[1]);
      for (int i = 0; i < rules.size(); i++) {
        int index = i;
        String key = key(rules.get(i));
        tests.add(DynamicTest.dynamicTest(role[1] + " without " + key, () -> {
          Consumer<Case> symptom = symptoms.get(key);
          assertThat(symptom).as("no symptom known for rule '" + key + "' of " + role[1]
              + ": show here that it is needed, or remove it from deploy/").isNotNull();
          try (AutoCloseable without = rbac.withoutRule(role[0], role[1], index); Case c = new Case(key.contains("leases"))) {
            symptom.accept(c);
          }
        }));
      }
    }
    assertThat(tests.stream().map(DynamicTest::getDisplayName).map(n -> n.substring(n.indexOf(" without ") + 9)))
        .as("every known symptom still has its rule in deploy/").containsExactlyInAnyOrderElementsOf(symptoms.keySet());
    return tests.stream();
  }

  /** One operator in-process with the ServiceAccount's token, watching a fresh scenario's namespace. */
  private static final class Case implements AutoCloseable {
    final BaseUpdateScenario scenario = new BaseUpdateScenario(cluster.admin(), registry, "rbac-rule").seed();
    final KubernetesClient client = cluster.clientWithToken(rbac.token());
    final boolean leaderElection;
    RunningOperator operator;

    Case(boolean leaderElection) {
      this.leaderElection = leaderElection;
    }

    RunningOperator start() {
      Map<String, String> env = new HashMap<>(BaseUpdateScenario.operatorEnv(registry));
      env.put("SLIMIMAGE_NAMESPACES", scenario.namespace);
      env.put("SLIMIMAGE_METRICS_PORT", "0");
      if (leaderElection) {
        env.putAll(Map.of("SLIMIMAGE_LEADER_ELECTION", "true", "POD_NAMESPACE", DeployedRbac.NAMESPACE,
            "SLIMIMAGE_LEASE_NAME", "rbac-" + scenario.namespace));
      }
      try {
        operator = OperatorRunner.start(OperatorConfig.fromEnv(env), client, JibImageRegistry::new, Clock.systemUTC());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return operator;
    }

    void startFails(String naming) {
      assertThatThrownBy(this::start).satisfies(e -> assertThat(causes(e)).containsIgnoringCase(naming));
    }

    void awaitApiError(String naming) {
      start();
      SlimImage r = scenario.awaitStatus("orders", SOON, s -> s.condition(Conditions.READY)
          .filter(c -> !c.isTrue() && Conditions.API_ERROR.equals(c.reason())).isPresent());
      assertThat(r.getStatus().condition(Conditions.READY).orElseThrow().message()).contains("forbidden", naming);
    }

    void awaitForbidden(String workload) {
      start();
      SlimImage r = scenario.awaitStatus("orders", SOON, s -> stalled(s, Conditions.PATCH_FORBIDDEN));
      assertThat(r.getStatus().condition(Conditions.STALLED).orElseThrow().message()).contains(workload);
    }

    @Override
    public void close() {
      if (operator != null) {
        operator.close();
      }
      client.close();
    }
  }

  /** Reasons of the Events the operator wrote on SlimImages (the controller manager writes others). */
  private static List<String> operatorEvents(String namespace) {
    return cluster.admin().v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> "SlimImage".equals(e.getInvolvedObject().getKind()))
        .map(e -> e.getReason())
        .toList();
  }

  private static boolean stalled(SlimImageStatus s, String reason) {
    return s.condition(Conditions.STALLED).filter(c -> c.isTrue() && reason.equals(c.reason())).isPresent();
  }

  /** "group/resources verbs" of a rule, e.g. "apps/deployments,statefulsets,daemonsets patch". */
  private static String key(JsonNode rule) {
    return join(rule.path("apiGroups")) + "/" + join(rule.path("resources")) + " " + join(rule.path("verbs"));
  }

  private static String join(JsonNode array) {
    List<String> parts = new ArrayList<>();
    array.forEach(n -> parts.add(n.asText()));
    return String.join(",", parts);
  }

  private static String causes(Throwable e) {
    StringBuilder s = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      s.append(t).append('\n');
    }
    return s.toString();
  }
}
