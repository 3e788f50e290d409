package dev.slim.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slim.shrink.ShrinkReport;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The savings gauges as Prometheus scrapes them. */
class ShrinkSavingsMetricsTest {

  private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ShrinkSavingsMetrics metrics = new ShrinkSavingsMetrics(prometheus);

  @Test
  void exportsSizeAndPackagesPerStageAndFollowsTheLatestReport() {
    metrics.record("shop", "orders", report(200_000_000, 120, 60_000_000, 3));
    metrics.record("shop", "orders", report(200_000_000, 120, 61_000_000, 4));

    String scrape = prometheus.scrape();
    assertThat(scrape).contains("slimimage_image_size_bytes{name=\"orders\",namespace=\"shop\",stage=\"original\"} 2.0E8");
    assertThat(scrape).contains("slimimage_image_size_bytes{name=\"orders\",namespace=\"shop\",stage=\"slim\"} 6.1E7");
    assertThat(scrape).contains("slimimage_os_packages{name=\"orders\",namespace=\"shop\",stage=\"original\"} 120.0");
    assertThat(scrape).contains("slimimage_os_packages{name=\"orders\",namespace=\"shop\",stage=\"slim\"} 4.0");
  }

  @Test
  void unknownPackageCountsAreLeftOutAndForgetDropsTheSeries() {
    metrics.record("shop", "rpm-app", new ShrinkReport(new ShrinkReport.Stage(10, 2, null, List.of("rpm")),
        new ShrinkReport.Stage(5, 2, 3, List.of("dpkg")), List.of()));
    assertThat(prometheus.scrape()).contains("slimimage_image_size_bytes{name=\"rpm-app\",namespace=\"shop\",stage=\"original\"} 10.0")
        .doesNotContain("slimimage_os_packages{name=\"rpm-app\",namespace=\"shop\",stage=\"original\"")
        .contains("slimimage_os_packages{name=\"rpm-app\",namespace=\"shop\",stage=\"slim\"} 3.0");

    metrics.forget("shop", "rpm-app");
    assertThat(prometheus.scrape()).doesNotContain("rpm-app");
  }

  private static ShrinkReport report(long before, int pkgBefore, long after, int pkgAfter) {
    return new ShrinkReport(new ShrinkReport.Stage(before, 3, pkgBefore, List.of("dpkg")),
        new ShrinkReport.Stage(after, 2, pkgAfter, List.of("dpkg")), List.of());
  }
}
