package dev.slim.reconciler;

import dev.slim.api.v1alpha1.Conditions;
import dev.slim.api.v1alpha1.SlimImage;
import dev.slim.api.v1alpha1.SlimImageSpec;
import dev.slim.api.v1alpha1.SlimImageStatus;
import dev.slim.api.v1alpha1.SlimImageStatus.BaseStatus;
import dev.slim.reconciler.ImagePublisher.Outcome;
import dev.slim.reconciler.StalledException.Stage;
import dev.slim.registry.RegistryCredentials;
import dev.slim.registry.RegistryException;
import dev.slim.watch.BaseWatcher.Observation;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Keeps one SlimImage's image on its newest base and its workloads pinned: read, decide, act, record. */
public class SlimImageReconciler implements Reconciler<SlimImage> {

  private final SlimImageParts parts;
  private final List<EventSource<?, SlimImage>> eventSources;

  /** @param eventSources the base watcher's event source in production; none in unit tests */
  public SlimImageReconciler(SlimImageParts parts, List<EventSource<?, SlimImage>> eventSources) {
    this.parts = parts;
    this.eventSources = List.copyOf(eventSources);
  }

  @Override
  public List<EventSource<?, SlimImage>> prepareEventSources(EventSourceContext<SlimImage> context) {
    return eventSources;
  }

  @Override
  public UpdateControl<SlimImage> reconcile(SlimImage r, Context<SlimImage> context) {
    if (r.getSpec().suspended()) {
      parts.watcher().forget(ResourceID.fromResource(r));
      return record(r, parts.status().suspended(r), null);
    }
    Duration interval = parts.config().defaultPollInterval();
    Observed observed;
    try {
      SlimImageInputs in = SlimImageInputs.parse(r.getSpec(), parts.config());
      interval = in.pollInterval();
      observed = act(r, in);
    } catch (StalledException e) {
      observed = Observed.stalledEarly(e);
    }
    return record(r, parts.status().build(r, observed), interval);
  }

  private Observed act(SlimImage r, SlimImageInputs in) {
    SlimImageSpec spec = r.getSpec();
    String namespace = r.getMetadata().getNamespace();
    RegistryCredentials credentials = parts.secrets().load(namespace, spec.secrets());
    parts.watcher().subscribe(ResourceID.fromResource(r), in.watched(), in.pollInterval(), credentials);
    Observation base = observe(in.base(), credentials, Conditions.BASE_NOT_FOUND);
    Observation app = observe(in.app(), credentials, Conditions.APP_NOT_FOUND);
    RebaseDecision decision = RebaseDecision.decide(false, generation(r), base.digest(), app.digest(), r.getStatus());
    Outcome made = switch (decision.action()) {
      case REBASE -> parts.publisher().publish(r, in, base.digest(), app.digest(), credentials);
      case KEEP -> new Outcome(r.getStatus().image(), r.getStatus().lastRebase(), null);
      default -> new Outcome(null, r.getStatus().lastRebase(), previousFailure(r));
    };
    String pinned = made.stalled() == null ? made.image().ref() : null;
    boolean patch = spec.updateMode() == SlimImageSpec.UpdatePolicy.Mode.Patch;
    WorkloadPatcher.Report workloads = parts.patcher().pin(namespace, spec.workloads(),
        in.repositories(), pinned, patch);
    workloads.pinned().forEach(w -> parts.events().normal(r, EventRecorder.WORKLOAD_PINNED, w + " now runs " + pinned));
    workloads.failures().forEach(f -> parts.events().warning(r, EventRecorder.PATCH_FAILED, f.describe()));
    BaseStatus baseStatus = new BaseStatus(in.base().toString(), base.digest().value(), base.digest().shortHex(12), detectedAt(r, base));
    return new Observed(baseStatus, made.image(), pinned != null, made.lastRebase(), workloads, patch, made.stalled());
  }

  /** Unreachable registries and API errors: Ready=False with the reason, then JOSDK retries with backoff. */
  @Override
  public ErrorStatusUpdateControl<SlimImage> updateErrorStatus(SlimImage r, Context<SlimImage> context, Exception e) {
    Throwable cause = rootOf(e);
    String reason = cause instanceof RegistryException ? Conditions.REGISTRY_UNREACHABLE
        : cause instanceof KubernetesClientException ? Conditions.API_ERROR : Conditions.RECONCILE_ERROR;
    r.setStatus(parts.status().retrying(r, reason, String.valueOf(cause.getMessage())));
    return ErrorStatusUpdateControl.patchStatus(r);
  }

  /** JOSDK wraps what reconcile threw; the status names the registry or API error itself. */
  private static Throwable rootOf(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RegistryException || t instanceof KubernetesClientException) {
        return t;
      }
    }
    return e;
  }

  private Observation observe(dev.slim.registry.ImageRef ref, RegistryCredentials credentials, String notFound) {
    try {
      return parts.watcher().observe(ref, credentials);
    } catch (RegistryException e) {
      if (e.retryable()) {
        throw e;
      }
      throw StalledException.from(e, Stage.BASE, notFound);
    }
  }

  private UpdateControl<SlimImage> record(SlimImage r, SlimImageStatus status, Duration recheck) {
    parts.metrics().drift(r.getMetadata().getNamespace(), r.getMetadata().getName(),
        status.driftSince() == null ? null : Instant.parse(status.driftSince()),
        status.workloadsBehind() == null ? 0 : status.workloadsBehind());
    UpdateControl<SlimImage> control;
    if (status.equals(r.getStatus())) {
      control = UpdateControl.noUpdate();
    } else {
      r.setStatus(status);
      control = UpdateControl.patchStatus(r);
    }
    // Periodic re-checks pick up new workloads; digests come from the watcher's cache, so they cost no registry request.
    return recheck == null ? control : control.rescheduleAfter(recheck);
  }

  /** The failure recorded for the last attempt with these very inputs, so it is reported, not repeated. */
  private static StalledException previousFailure(SlimImage r) {
    return r.getStatus().condition(Conditions.REBASED)
        .filter(c -> !c.isTrue())
        .map(c -> new StalledException(Stage.REBASE, c.reason(), c.message()))
        .orElseGet(() -> new StalledException(Stage.REBASE, Conditions.RECONCILE_ERROR,
            "the last re-base with these inputs failed; change the spec to try again"));
  }

  private String detectedAt(SlimImage r, Observation base) {
    BaseStatus previous = r.getStatus() == null ? null : r.getStatus().base();
    if (previous != null && base.digest().value().equals(previous.digest()) && previous.detectedAt() != null) {
      return previous.detectedAt();
    }
    return base.firstSeen() != null ? base.firstSeen().toString() : parts.clock().instant().toString();
  }

  private static long generation(SlimImage r) {
    return r.getMetadata().getGeneration() == null ? 0 : r.getMetadata().getGeneration();
  }
}
