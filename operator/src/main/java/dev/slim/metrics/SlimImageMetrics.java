package dev.slim.metrics;

import dev.slim.registry.RegistryOptions;
import dev.slim.shrink.ShrinkReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's own meters: drift and workloads behind per SlimImage, re-bases, registry
 * requests and workload patches. Per-SlimImage series are removed when the SlimImage goes.
 */
public class SlimImageMetrics implements RegistryOptions.RequestObserver {

  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String ERROR = "error";
  public static final String FORBIDDEN = "forbidden";

  private final MeterRegistry registry;
  private final Clock clock;
  private final Timer rebaseDuration;
  private final ShrinkSavingsMetrics savings;
  private final Map<String, Drift> drift = new ConcurrentHashMap<>();

  /** What the gauges of one SlimImage read; updated after each reconcile. */
  private static final class Drift {
    volatile Instant since;
    volatile int behind;
    Gauge driftGauge;
    Gauge behindGauge;
  }

  public SlimImageMetrics(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
    this.savings = new ShrinkSavingsMetrics(registry);
    this.rebaseDuration = Timer.builder("slimimage.rebase.duration")
        .description("Time to re-base one app image, push it and read it back")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(10))
        .maximumExpectedValue(Duration.ofMinutes(5))
        .register(registry);
    // Every outcome exists from start-up at 0: a counter born at 1 hides its first increment
    // from increase()/rate(), and the SlimImageRebaseFailing alert would miss a lone failure.
    for (String outcome : new String[] {SUCCEEDED, FAILED, ERROR}) {
      rebases(outcome);
    }
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Counts a re-base attempt; {@code outcome} is succeeded, failed (needs a human) or error (retried). */
  public void rebase(String outcome, Duration duration) {
    rebases(outcome).increment();
    rebaseDuration.record(duration);
  }

  private Counter rebases(String outcome) {
    return Counter.builder("slimimage.rebases")
        .description("Re-base attempts by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  @Override
  public void requested(String registryHost, String operation, String code) {
    Counter.builder("slimimage.registry.requests")
        .description("Registry HTTP requests by registry, operation and status code")
        .tags("registry", registryHost, "operation", operation, "code", code)
        .register(registry)
        .increment();
  }

  /** Counts one workload patch; {@code outcome} is succeeded, forbidden or failed. */
  public void workloadPatch(String kind, String outcome) {
    Counter.builder("slimimage.workload.patches")
        .description("Workload image patches by kind and outcome")
        .tags("kind", kind, "outcome", outcome)
        .register(registry)
        .increment();
  }

  /**
   * Records how far one SlimImage's workloads are behind: {@code since} is when the newest
   * base digest was first seen, or null when every selected workload runs the newest image.
   */
  public void drift(String namespace, String name, Instant since, int behind) {
    Drift d = drift.computeIfAbsent(key(namespace, name), k -> register(namespace, name));
    d.since = behind > 0 ? since : null;
    d.behind = behind;
  }

  /** Extract mode: the size and package counts of the app before and after its latest shrink. */
  public void savings(String namespace, String name, ShrinkReport report) {
    savings.record(namespace, name, report);
  }

  /** Removes the series of a deleted SlimImage. */
  public void forget(String namespace, String name) {
    savings.forget(namespace, name);
    Drift d = drift.remove(key(namespace, name));
    if (d != null) {
      registry.remove(d.driftGauge);
      registry.remove(d.behindGauge);
    }
  }

  private Drift register(String namespace, String name) {
    Drift d = new Drift();
    Tags tags = Tags.of("namespace", namespace, "name", name);
    d.driftGauge = Gauge.builder("slimimage.base.drift", d, this::driftSeconds)
        .description("Seconds since the newest base digest was first seen while a selected workload still runs an older one; 0 when all are current")
        .baseUnit("seconds")
        .tags(tags)
        .register(registry);
    d.behindGauge = Gauge.builder("slimimage.workloads.behind", d, x -> x.behind)
        .description("Selected workload containers not running the newest re-based image")
        .tags(tags)
        .register(registry);
    return d;
  }

  private double driftSeconds(Drift d) {
    Instant since = d.since;
    if (since == null) {
      return 0;
    }
    return Math.max(0, Duration.between(since, clock.instant()).toMillis() / 1000.0);
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
