package dev.slim.reconciler;

import dev.slim.api.v1alpha1.Conditions;
import dev.slim.api.v1alpha1.SlimImage;
import dev.slim.api.v1alpha1.SlimImageStatus.ImageStatus;
import dev.slim.api.v1alpha1.SlimImageStatus.LastRebase;
import dev.slim.metrics.SlimImageMetrics;
import dev.slim.reconciler.StalledException.Stage;
import dev.slim.rebase.RebaseException;
import dev.slim.rebase.RebaseRequest;
import dev.slim.rebase.RebaseResult;
import dev.slim.rebase.Rebaser;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.InvalidReferenceException;
import dev.slim.registry.RegistryCredentials;
import dev.slim.registry.RegistryException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * Makes the image for one set of inputs: re-bases the app onto the observed base digest with
 * the engine, pushes it under the target tag, and reports the digest the Rebaser read back.
 * Records the attempt (metrics, an Event, lastRebase) whatever the outcome.
 */
public class ImagePublisher {

  /** A new image, or why none could be made; {@code lastRebase} records the attempt either way. */
  public record Outcome(ImageStatus image, LastRebase lastRebase, StalledException stalled) {}

  private final Function<RegistryCredentials, ImageRegistry> registries;
  private final SlimImageMetrics metrics;
  private final EventRecorder events;
  private final Clock clock;

  public ImagePublisher(
      Function<RegistryCredentials, ImageRegistry> registries, SlimImageMetrics metrics, EventRecorder events, Clock clock) {
    this.registries = registries;
    this.metrics = metrics;
    this.events = events;
    this.clock = clock;
  }

  /**
   * @throws RegistryException when a registry is unreachable: worth retrying, nothing recorded
   *     as a failure
   */
  public Outcome publish(SlimImage resource, SlimImageInputs in, Digest base, Digest app, RegistryCredentials credentials) {
    long generation = resource.getMetadata().getGeneration() == null ? 0 : resource.getMetadata().getGeneration();
    ImageRef target = in.targetFor(base);
    // Both inputs pinned by digest: the tag may move again while we work, the image must not.
    RebaseRequest request = new RebaseRequest(in.app().withDigest(app), in.base().withDigest(base), in.oldBase(), target, List.of());
    Instant started = clock.instant();
    ImageRegistry registry = registries.apply(credentials);
    try {
      RebaseResult result = new Rebaser(registry).rebase(request);
      metrics.rebase(SlimImageMetrics.SUCCEEDED, Duration.ofMillis(result.durationMillis()));
      String pinned = target.withDigest(result.digest()).toString();
      events.normal(resource, EventRecorder.REBASED, "Rebased " + in.app() + " onto " + in.base() + "@" + result.baseDigest()
          + " as " + pinned + " (" + result.bytesUploaded() + " bytes uploaded, " + result.blobsMounted() + " layers mounted)");
      return new Outcome(
          new ImageStatus(pinned, result.digest().value(), result.digest().shortHex(12), result.baseDigest().value(),
              app.value(), clock.instant().toString()),
          new LastRebase(generation, base.value(), app.value(), LastRebase.SUCCEEDED, result.durationMillis(), result.bytesUploaded()),
          null);
    } catch (RebaseException e) {
      return failed(resource, generation, base, app, started, new StalledException(Stage.REBASE, e.reason(), e.getMessage()));
    } catch (InvalidReferenceException e) {
      return failed(resource, generation, base, app, started,
          new StalledException(Stage.REBASE, Conditions.INVALID_REFERENCE, e.getMessage()));
    } catch (RegistryException e) {
      if (e.retryable()) {
        metrics.rebase(SlimImageMetrics.ERROR, Duration.between(started, clock.instant()));
        throw e;
      }
      return failed(resource, generation, base, app, started, StalledException.from(e, Stage.REBASE, Conditions.IMAGE_NOT_FOUND));
    } finally {
      closeQuietly(registry);
    }
  }

  /** Registry clients may hold HTTP transports; one is made per re-base, so it is closed after. */
  static void closeQuietly(ImageRegistry registry) {
    try {
      registry.close();
    } catch (RuntimeException e) {
      // Nothing to do: the transports are gone either way.
    }
  }

  private Outcome failed(SlimImage resource, long generation, Digest base, Digest app, Instant started, StalledException why) {
    Duration took = Duration.between(started, clock.instant());
    metrics.rebase(SlimImageMetrics.FAILED, took);
    events.warning(resource, EventRecorder.REBASE_FAILED, why.reason() + ": " + why.getMessage());
    return new Outcome(null, new LastRebase(generation, base.value(), app.value(), LastRebase.FAILED, took.toMillis(), 0L), why);
  }
}
