package dev.slim.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slim.testing.ControlPlane;
import dev.slim.testing.OperatorProcess;
import dev.slim.testing.PrometheusServer;
import dev.slim.testing.ProjectRoot;
import dev.slim.testing.PushedImage;
import dev.slim.testing.RegistryServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus scrapes the running operator (the jar, with the deploy/ ServiceAccount) every
 * second through a base update, a registry that refuses connections and a re-base that needs a
 * human; then every PromQL expression of the dashboard and of the alert rules is evaluated through
 * Prometheus's HTTP API. Fails on a parse error, on a dashboard query without series, on a metric
 * an expression names that the operator does not export, and on an alert that should be pending
 * but is not.
 */
class PrometheusIT {

  private static final Pattern METRIC = Pattern.compile("\\b((?:slimimage|operator_sdk)_[a-z_]+)\\b");
  /** Alerts this scenario makes true (they stay pending: their "for" is longer than the test). */
  private static final Set<String> TRUE_IN_SCENARIO = Set.of("SlimImageRebaseFailing", "SlimImageRegistryErrors");
  /** Documented metrics this scenario cannot produce: they exist only for SlimImages that shrink. */
  private static final Set<String> SHRINK_ONLY = Set.of("slimimage_image_size_bytes", "slimimage_os_packages");

  @Test
  void everyDashboardAndAlertExpressionEvaluatesOnTheOperatorsRealSeries() throws Exception {
    ControlPlane cluster = ControlPlane.shared();
    RegistryServer registry = RegistryServer.shared();
    DeployedRbac rbac = DeployedRbac.apply(cluster);
    BaseUpdateScenario scenario = new BaseUpdateScenario(cluster.admin(), registry, "prometheus").seed();
    scenario.addUnreachable();
    scenario.addNotOnOldBase();
    Map<String, String> env = new HashMap<>(BaseUpdateScenario.operatorEnv(registry));
    env.putAll(Map.of("SLIMIMAGE_NAMESPACES", scenario.namespace, "SLIMIMAGE_LEADER_ELECTION", "true",
        "POD_NAMESPACE", DeployedRbac.NAMESPACE, "SLIMIMAGE_LEASE_NAME", "slimimage-operator-prometheus-it"));
    Path kubeconfig = rbac.kubeconfig(Files.createTempFile("operator-sa", ".kubeconfig"));

    try (OperatorProcess operator = OperatorProcess.start("op-prom", kubeconfig, env);
        PrometheusServer prometheus = PrometheusServer.start(config(operator.metricsPort()))) {
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> hasSeries(prometheus.query("up{job=\"slimimage-operator\"} == 1")));
        scenario.awaitPinnedOn(scenario.baseV1, Duration.ofSeconds(60));
        PushedImage v2 = scenario.publishNewBase();
        scenario.awaitPinnedOn(v2, Duration.ofSeconds(60));
        // A few more scrapes, so rate() and increase() have two samples after the last change.
        await().atMost(Duration.ofSeconds(30)).until(() ->
            hasSeries(prometheus.query("increase(slimimage_rebases_total{outcome=\"failed\"}[1m]) > 0"))
                && hasSeries(prometheus.query("slimimage_workloads_behind{name=\"orders\"} == 0")));
        Thread.sleep(3000);

        // The check below would see a parse error: Prometheus answers status "error" for one.
        assertThat(prometheus.query("sum(slimimage_workloads_behind").path("status").asText()).isEqualTo("error");
        List<String> problems = new ArrayList<>();
        for (MonitoringQueries.Query q : MonitoringQueries.dashboard()) {
          check(prometheus, q.where(), q.expr(), true, problems);
        }
        for (MonitoringQueries.Rule r : MonitoringQueries.rules()) {
          check(prometheus, "alert " + r.alert(), r.expr(), TRUE_IN_SCENARIO.contains(r.alert()), problems);
        }
        for (String metric : documentedMetrics()) {
          if (SHRINK_ONLY.contains(metric)) {
            continue;
          }
          if (!hasSeries(prometheus.query("count(" + metric + ")"))) {
            problems.add("README.md lists " + metric + ", which the operator does not export");
          }
        }
        assertThat(problems).as("PromQL problems").isEmpty();

        // Prometheus itself loaded and evaluates the rules file without errors, and the two alerts
        // the scenario makes true are pending (their "for" has not elapsed).
        JsonNode groups = prometheus.get("/api/v1/rules").path("data").path("groups");
        List<String> health = new ArrayList<>();
        groups.forEach(g -> g.path("rules").forEach(rule -> health.add(rule.path("name").asText() + "=" + rule.path("health").asText())));
        assertThat(health).containsExactlyInAnyOrder("SlimImageDriftTooLong=ok", "SlimImageRebaseFailing=ok", "SlimImageRegistryErrors=ok");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
          List<String> pending = new ArrayList<>();
          prometheus.get("/api/v1/alerts").path("data").path("alerts")
              .forEach(a -> pending.add(a.path("labels").path("alertname").asText() + ":" + a.path("state").asText()));
          assertThat(pending).contains("SlimImageRebaseFailing:pending", "SlimImageRegistryErrors:pending")
              .noneMatch(a -> a.startsWith("SlimImageDriftTooLong"));
        });
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(e.getMessage() + "\n--- operator log ---\n" + operator.log()
            + "\n--- prometheus log ---\n" + prometheus.log(), e);
      }
    }
  }

  /** Evaluates {@code expr}; records a parse error, a missing metric, or (when {@code mustHaveData}) an empty result. */
  private static void check(PrometheusServer prometheus, String where, String expr, boolean mustHaveData, List<String> problems) {
    JsonNode answer = prometheus.query(expr);
    if (!"success".equals(answer.path("status").asText())) {
      problems.add(where + ": " + answer.path("errorType").asText() + ": " + answer.path("error").asText() + " in " + expr);
      return;
    }
    System.out.printf("%-55s %3d series  %s%n", where, answer.path("data").path("result").size(), expr.replaceAll("\\s+", " "));
    if (mustHaveData && !hasSeries(answer)) {
      problems.add(where + ": no series for " + expr);
    }
    Set<String> metrics = new LinkedHashSet<>();
    Matcher m = METRIC.matcher(expr);
    while (m.find()) {
      metrics.add(m.group(1));
    }
    for (String metric : metrics) {
      if (!hasSeries(prometheus.query("count(" + metric + ")"))) {
        problems.add(where + ": the operator exports no " + metric);
      }
    }
  }

  /** Full metric names in the metrics table of README.md (a histogram by its _count series). */
  private static Set<String> documentedMetrics() throws java.io.IOException {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = Pattern.compile("^\\| `((?:slimimage|operator_sdk)_[a-z_]+)`", Pattern.MULTILINE)
        .matcher(Files.readString(ProjectRoot.resolve("README.md")));
    while (m.find()) {
      names.add(m.group(1).endsWith("_seconds") && m.group(1).contains("duration") ? m.group(1) + "_count" : m.group(1));
    }
    assertThat(names).hasSizeGreaterThanOrEqualTo(7);
    return names;
  }

  private static boolean hasSeries(JsonNode answer) {
    return answer.path("data").path("result").size() > 0;
  }

  /** Scrapes like deploy/07-servicemonitor.yaml (honorLabels, a namespace target label), every second. */
  private static String config(int port) {
    return """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files:
          - %s
        scrape_configs:
          - job_name: slimimage-operator
            honor_labels: true
            metrics_path: /metrics
            static_configs:
              - targets: ['127.0.0.1:%d']
                labels:
                  namespace: slimimage-system
                  pod: op-prom
        """.formatted(ProjectRoot.resolve("deploy/monitoring/slimimage.rules.yaml"), port);
  }
}
