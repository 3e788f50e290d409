package dev.slim.metrics;

import dev.slim.shrink.ShrinkReport;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exports what each SlimImage's last shrink saved: {@code slimimage_image_size_bytes} and
 * {@code slimimage_os_packages} with labels namespace, name and stage ({@code original} or
 * {@code slim}). A package count that is unknown (an rpm database) is not exported rather than
 * exported as zero, so dashboards never show a false "0 packages".
 */
public final class ShrinkSavingsMetrics {

  public static final String SIZE = "slimimage.image.size";
  public static final String PACKAGES = "slimimage.os.packages";

  private final MeterRegistry registry;
  private final Map<String, Registered> bySlimImage = new ConcurrentHashMap<>();

  /** The latest report of one SlimImage and the gauges reading it. */
  private static final class Registered {
    volatile ShrinkReport report;
    final List<Gauge> gauges = new ArrayList<>();
  }

  public ShrinkSavingsMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Records a SlimImage's latest shrink; the gauges follow the newest report. */
  public void record(String namespace, String name, ShrinkReport report) {
    Registered r = bySlimImage.computeIfAbsent(namespace + "/" + name, k -> new Registered());
    String before = r.report == null ? null : known(r.report);
    r.report = report;
    // Gauges read the newest report; they are re-registered only when a count became (un)known.
    if (!r.gauges.isEmpty() && known(report).equals(before)) {
      return;
    }
    remove(r);
    for (String stage : List.of("original", "slim")) {
      Tags tags = Tags.of("namespace", namespace, "name", name, "stage", stage);
      r.gauges.add(Gauge.builder(SIZE, r, x -> stage(x.report, stage).compressedBytes())
          .baseUnit("bytes").description("Compressed size of an app image before and after its shrink").tags(tags).register(registry));
      if (stage(report, stage).packages() != null) {
        r.gauges.add(Gauge.builder(PACKAGES, r, x -> {
              Integer n = stage(x.report, stage).packages();
              return n == null ? Double.NaN : n;
            })
            .description("OS packages in an app image before and after its shrink").tags(tags).register(registry));
      }
    }
  }

  /** Drops a deleted SlimImage's series. */
  public void forget(String namespace, String name) {
    Registered r = bySlimImage.remove(namespace + "/" + name);
    if (r != null) {
      remove(r);
    }
  }

  private void remove(Registered r) {
    r.gauges.forEach(registry::remove);
    r.gauges.clear();
  }

  private static String known(ShrinkReport report) {
    return (report.original().packages() != null) + "," + (report.slim().packages() != null);
  }

  private static ShrinkReport.Stage stage(ShrinkReport report, String stage) {
    return stage.equals("original") ? report.original() : report.slim();
  }
}
