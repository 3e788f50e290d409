package dev.slim.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slim.testing.ProjectRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One source of truth for alerts and a dashboard that shows every operator metric. */
class MonitoringRulesTest {

  private static final List<String> OPERATOR_METRICS = List.of(
      "slimimage_base_drift_seconds", "slimimage_workloads_behind", "slimimage_rebases_total",
      "slimimage_rebase_duration_seconds_bucket", "slimimage_registry_requests_total", "slimimage_workload_patches_total");

  @Test
  void prometheusRuleCarriesExactlyTheRulesFile() {
    JsonNode plain = Kustomization.read(ProjectRoot.resolve("deploy/monitoring/slimimage.rules.yaml")).get(0);
    JsonNode crd = Kustomization.read(ProjectRoot.resolve("deploy/08-prometheusrule.yaml")).get(0);
    assertThat(crd.path("spec").path("groups"))
        .as("deploy/08-prometheusrule.yaml spec.groups must equal deploy/monitoring/slimimage.rules.yaml groups")
        .isEqualTo(plain.path("groups"));
  }

  @Test
  void theThreeAlertsExistWithSummaryAndARunbookSection() throws IOException {
    List<MonitoringQueries.Rule> rules = MonitoringQueries.rules();
    assertThat(rules).extracting(MonitoringQueries.Rule::alert)
        .containsExactly("SlimImageDriftTooLong", "SlimImageRebaseFailing", "SlimImageRegistryErrors");
    String docs = Files.readString(ProjectRoot.resolve("README.md"));
    for (MonitoringQueries.Rule r : rules) {
      assertThat(r.node().path("annotations").path("summary").asText()).as(r.alert()).isNotBlank();
      String anchor = r.node().path("annotations").path("runbook").asText();
      assertThat(anchor).isEqualTo("README.md#" + r.alert().toLowerCase());
      assertThat(docs).as("README.md needs a runbook heading for " + r.alert()).contains("#### " + r.alert() + "\n");
    }
    assertThat(rules.get(0).expr()).as("the documented 7-day threshold").contains("> 604800");
    assertThat(rules.get(0).node().path("for").asText()).isEqualTo("15m");
  }

  @Test
  void dashboardShowsEveryOperatorMetric() {
    List<MonitoringQueries.Query> queries = MonitoringQueries.dashboard();
    for (String metric : OPERATOR_METRICS) {
      assertThat(queries).as(metric).anyMatch(q -> q.expr().contains(metric));
    }
    assertThat(queries).anyMatch(q -> q.expr().contains("histogram_quantile(0.50"));
    assertThat(queries).anyMatch(q -> q.expr().contains("histogram_quantile(0.95"));
    assertThat(queries).anyMatch(q -> q.expr().contains("operator_sdk_"));
  }

  @Test
  void everyMetricInTheDocsTableIsOneTheDashboardOrRulesUse() throws IOException {
    String docs = Files.readString(ProjectRoot.resolve("README.md"));
    for (String metric : OPERATOR_METRICS) {
      assertThat(docs).contains("`" + metric.replace("_bucket", "") + "`");
    }
  }
}
