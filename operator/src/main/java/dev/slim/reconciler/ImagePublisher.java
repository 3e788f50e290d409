package dev.slim.reconciler;

import dev.slim.api.v1alpha1.Conditions;
import dev.slim.api.v1alpha1.SlimImage;
import dev.slim.api.v1alpha1.SlimImageStatus.ImageStatus;
import dev.slim.api.v1alpha1.SlimImageStatus.LastRebase;
import dev.slim.api.v1alpha1.SlimImageStatus.Savings;
import dev.slim.api.v1alpha1.SlimImageStatus.SavingsStage;
import dev.slim.metrics.SlimImageMetrics;
import dev.slim.reconciler.StalledException.Stage;
import dev.slim.rebase.PackageDatabaseCheck;
import dev.slim.rebase.RebaseException;
import dev.slim.rebase.RebaseRequest;
import dev.slim.rebase.RebaseResult;
import dev.slim.rebase.Rebaser;
import dev.slim.shrink.ShrinkReport;
import dev.slim.shrink.ShrinkRequest;
import dev.slim.shrink.ShrinkResult;
import dev.slim.shrink.Shrinker;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.InvalidReferenceException;
import dev.slim.registry.LayeredImageBuilder;
import dev.slim.registry.RegistryCredentials;
import dev.slim.registry.RegistryException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Makes the image for one set of inputs: re-bases the app onto the observed base digest with
 * the engine (or, in Extract mode, shrinks it onto that base), pushes it under the target tag,
 * and reports the digest the engine read back. Records the attempt (metrics, an Event,
 * lastRebase) whatever the outcome.
 */
public class ImagePublisher {

  /** A new image, or why none could be made; {@code lastRebase} records the attempt either way. */
  public record Outcome(ImageStatus image, LastRebase lastRebase, StalledException stalled) {}

  private final Function<RegistryCredentials, ImageRegistry> registries;
  private final Function<RegistryCredentials, LayeredImageBuilder> builders;
  private final PackageDatabaseCheck packageDatabase;
  private final SlimImageMetrics metrics;
  private final EventRecorder events;
  private final Clock clock;

  /** Rebase mode only: an Extract SlimImage stalls, saying the operator has no image builder. */
  public ImagePublisher(
      Function<RegistryCredentials, ImageRegistry> registries, SlimImageMetrics metrics, EventRecorder events, Clock clock) {
    this(registries, credentials -> {
      throw new RebaseException("ExtractUnavailable", "this operator was started without an image builder, so Extract mode is unavailable");
    }, new PackageDatabaseCheck(PackageDatabaseCheck.Policy.WARN), metrics, events, clock);
  }

  /**
   * @param packageDatabase shared by every reconcile, so each app layer is read at most once
   */
  public ImagePublisher(
      Function<RegistryCredentials, ImageRegistry> registries, Function<RegistryCredentials, LayeredImageBuilder> builders,
      PackageDatabaseCheck packageDatabase, SlimImageMetrics metrics, EventRecorder events, Clock clock) {
    this.registries = registries;
    this.builders = builders;
    this.packageDatabase = packageDatabase;
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
    Instant started = clock.instant();
    ImageRegistry registry = registries.apply(credentials);
    try {
      Made made = in.extract().isPresent()
          ? shrink(resource, in, in.extract().get(), target, base, app, credentials, registry)
          : rebase(resource, in, target, base, app, registry);
      metrics.rebase(SlimImageMetrics.SUCCEEDED, Duration.ofMillis(made.durationMillis()));
      String pinned = target.withDigest(made.digest()).toString();
      return new Outcome(
          new ImageStatus(pinned, made.digest().value(), made.digest().shortHex(12), made.baseDigest().value(),
              app.value(), clock.instant().toString(), made.savings()),
          new LastRebase(generation, base.value(), app.value(), LastRebase.SUCCEEDED, made.durationMillis(), made.bytesUploaded()),
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

  /** What either engine made, in the terms the status records. */
  private record Made(Digest digest, Digest baseDigest, long durationMillis, long bytesUploaded, Savings savings) {}

  private Made rebase(SlimImage resource, SlimImageInputs in, ImageRef target, Digest base, Digest app, ImageRegistry registry) {
    // Both inputs pinned by digest: the tag may move again while we work, the image must not.
    RebaseRequest request = new RebaseRequest(in.app().withDigest(app), in.base().withDigest(base), in.oldBase(), target, List.of());
    RebaseResult result = new Rebaser(registry, packageDatabase).rebase(request);
    result.warnings().forEach(w -> events.warning(resource, EventRecorder.REBASE_WARNING, w));
    events.normal(resource, EventRecorder.REBASED, "Rebased " + in.app() + " onto " + in.base() + "@" + result.baseDigest()
        + " as " + target.withDigest(result.digest()) + " (" + result.bytesUploaded() + " bytes uploaded, "
        + result.blobsMounted() + " layers mounted)");
    return new Made(result.digest(), result.baseDigest(), result.durationMillis(), result.bytesUploaded(), null);
  }

  private Made shrink(SlimImage resource, SlimImageInputs in, SlimImageInputs.Extract extract, ImageRef target,
      Digest base, Digest app, RegistryCredentials credentials, ImageRegistry registry) {
    ShrinkRequest request = new ShrinkRequest(in.app().withDigest(app), in.base().withDigest(base), in.oldBase(), target,
        extract.paths(), extract.env(), extract.allowMissing(), Optional.empty());
    ShrinkResult result = new Shrinker(registry, builders.apply(credentials)).shrink(request);
    ShrinkReport report = result.report();
    metrics.savings(resource.getMetadata().getNamespace(), resource.getMetadata().getName(), report);
    events.normal(resource, EventRecorder.REBASED, "Shrank " + in.app() + " onto " + in.base() + "@" + result.baseDigest()
        + " as " + target.withDigest(result.digest()) + ": " + report.original().compressedBytes() + " -> "
        + report.slim().compressedBytes() + " bytes, " + report.original().packages() + " -> " + report.slim().packages()
        + " OS packages (" + result.bytesUploaded() + " bytes uploaded)");
    result.warnings().forEach(w -> events.warning(resource, EventRecorder.SHRINK_WARNING, w));
    return new Made(result.digest(), result.baseDigest(), result.durationMillis(), result.bytesUploaded(), savings(report));
  }

  /** The report in status form: counts, and at most {@link Savings#MAX_NAMES} removed package names. */
  static Savings savings(ShrinkReport report) {
    List<String> removed = report.packagesRemoved();
    return new Savings(stage(report.original()), stage(report.slim()), removed.size(),
        removed.subList(0, Math.min(removed.size(), Savings.MAX_NAMES)));
  }

  private static SavingsStage stage(ShrinkReport.Stage stage) {
    return new SavingsStage(stage.compressedBytes(), stage.layers(), stage.packages());
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
