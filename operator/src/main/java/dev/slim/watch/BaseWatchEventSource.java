package dev.slim.watch;

import dev.slim.api.v1alpha1.SlimImage;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects the shared {@link BaseWatcher} to JOSDK: a moved digest becomes one event per
 * SlimImage that follows the reference, and a deleted SlimImage is forgotten (no finalizer
 * needed, since JOSDK tells event sources about deletions).
 */
public class BaseWatchEventSource extends AbstractEventSource<Void, SlimImage> implements ResourceEventAware<SlimImage> {

  private static final Logger LOG = LoggerFactory.getLogger(BaseWatchEventSource.class);

  private final BaseWatcher<ResourceID> watcher;
  private final Duration tickPeriod;
  private final Consumer<ResourceID> onDeleted;
  private ScheduledExecutorService ticker;

  /**
   * @param tickPeriod how often due references are looked for; polling itself follows each
   *     reference's interval
   * @param onDeleted cleanup for a deleted SlimImage beyond the watcher, e.g. its metric series
   */
  public BaseWatchEventSource(BaseWatcher<ResourceID> watcher, Duration tickPeriod, Consumer<ResourceID> onDeleted) {
    super(Void.class, "base-watcher");
    this.watcher = watcher;
    this.tickPeriod = tickPeriod;
    this.onDeleted = onDeleted;
    watcher.setListener((ref, subscribers) -> subscribers.forEach(this::reconcile));
  }

  private void reconcile(ResourceID id) {
    if (isRunning()) {
      getEventHandler().handleEvent(new Event(id));
    }
  }

  @Override
  public void start() throws OperatorException {
    ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "base-watcher-tick");
      t.setDaemon(true);
      return t;
    });
    long ms = tickPeriod.toMillis();
    ticker.scheduleWithFixedDelay(this::tick, ms, ms, TimeUnit.MILLISECONDS);
    super.start();
  }

  private void tick() {
    try {
      watcher.tick();
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again; one bad tick must not end polling.
      LOG.warn("base watcher tick failed", e);
    }
  }

  @Override
  public void stop() throws OperatorException {
    if (ticker != null) {
      ticker.shutdownNow();
    }
    super.stop();
  }

  @Override
  public void onResourceDeleted(SlimImage resource) {
    ResourceID id = ResourceID.fromResource(resource);
    watcher.forget(id);
    onDeleted.accept(id);
  }

  @Override
  public Set<Void> getSecondaryResources(SlimImage primary) {
    return Set.of();
  }
}
