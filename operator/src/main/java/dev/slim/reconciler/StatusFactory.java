package dev.slim.reconciler;

import static dev.slim.api.v1alpha1.Condition.FALSE;
import static dev.slim.api.v1alpha1.Condition.TRUE;
import static dev.slim.api.v1alpha1.Condition.UNKNOWN;

import dev.slim.api.v1alpha1.Condition;
import dev.slim.api.v1alpha1.Conditions;
import dev.slim.api.v1alpha1.SlimImage;
import dev.slim.api.v1alpha1.SlimImageStatus;
import dev.slim.reconciler.StalledException.Stage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns what a reconcile observed into the SlimImage status: the five conditions, the bounded
 * workload list and drift. A condition whose status did not change keeps its
 * lastTransitionTime, so "Ready since" means what it says. Time comes from the injected clock.
 */
public class StatusFactory {

  private final Clock clock;

  public StatusFactory(Clock clock) {
    this.clock = clock;
  }

  /** A condition for {@code generation}, keeping the previous lastTransitionTime when the status is unchanged. */
  public Condition condition(SlimImageStatus previous, long generation, String type, String status, String reason, String message) {
    String since = previous == null
        ? null
        : previous.condition(type).filter(c -> status.equals(c.status())).map(Condition::lastTransitionTime).orElse(null);
    return new Condition(type, status, reason, message, since != null ? since : clock.instant().toString(), generation);
  }

  /** spec.suspend: Ready=False/Suspended; everything else stays as last observed. */
  public SlimImageStatus suspended(SlimImage r) {
    SlimImageStatus prev = previous(r);
    long gen = generation(r);
    List<Condition> conditions = replace(prev, condition(prev, gen, Conditions.READY, FALSE, Conditions.SUSPENDED,
        "spec.suspend is true: no polling, re-basing or patching"));
    return new SlimImageStatus(gen, conditions, prev.base(), prev.image(), prev.workloads(), prev.workloadsBehind(),
        prev.driftSince(), prev.lastRebase());
  }

  /** A failure worth retrying (registry unreachable, API error): Ready=False, the rest kept. */
  public SlimImageStatus retrying(SlimImage r, String reason, String message) {
    SlimImageStatus prev = previous(r);
    long gen = generation(r);
    List<Condition> conditions = replace(prev,
        condition(prev, gen, Conditions.READY, FALSE, reason, message + " (retrying with backoff)"));
    return new SlimImageStatus(gen, conditions, prev.base(), prev.image(), prev.workloads(), prev.workloadsBehind(),
        prev.driftSince(), prev.lastRebase());
  }

  public SlimImageStatus build(SlimImage r, Observed o) {
    SlimImageStatus prev = previous(r);
    long gen = generation(r);
    StalledException s = o.stalled();
    WorkloadPatcher.Report w = o.workloads();

    Condition baseResolved = o.base() != null
        ? condition(prev, gen, Conditions.BASE_RESOLVED, TRUE, Conditions.RESOLVED, o.base().image() + " is at " + o.base().digest())
        : s != null && s.stage() == Stage.BASE
            ? condition(prev, gen, Conditions.BASE_RESOLVED, FALSE, s.reason(), s.getMessage())
            : condition(prev, gen, Conditions.BASE_RESOLVED, UNKNOWN, Conditions.PROGRESSING, "not resolved yet");
    Condition rebased = s != null && s.stage() == Stage.REBASE
        ? condition(prev, gen, Conditions.REBASED, FALSE, s.reason(), s.getMessage())
        : o.imageCurrent()
            ? condition(prev, gen, Conditions.REBASED, TRUE, Conditions.REBASE_SUCCEEDED,
                o.image().ref() + " sits on base " + o.image().baseDigest())
            : condition(prev, gen, Conditions.REBASED, UNKNOWN, Conditions.PROGRESSING, "waiting for the base and app to resolve");
    Condition workloads = workloadsCondition(prev, gen, o);
    boolean forbidden = w != null && !w.failures().isEmpty();
    Condition stalled = s != null
        ? condition(prev, gen, Conditions.STALLED, TRUE, s.reason(), s.getMessage())
        : forbidden
            ? condition(prev, gen, Conditions.STALLED, TRUE, Conditions.PATCH_FORBIDDEN, workloads.message())
            : condition(prev, gen, Conditions.STALLED, FALSE, Conditions.NOT_STALLED, "nothing needs a human");
    Condition ready = ready(prev, gen, baseResolved, rebased, workloads, stalled);

    List<Condition> conditions = List.of(ready, baseResolved, rebased, workloads, stalled);
    var baseStatus = o.base() != null ? o.base() : prev.base();
    Integer behind = w != null ? Integer.valueOf(w.behind()) : prev.workloadsBehind();
    String driftSince = w == null
        ? prev.driftSince()
        : w.behind() > 0 && baseStatus != null ? baseStatus.detectedAt() : null;
    return new SlimImageStatus(
        gen,
        conditions,
        baseStatus,
        o.image() != null ? o.image() : prev.image(),
        w != null ? w.statuses(SlimImageStatus.MAX_WORKLOADS) : prev.workloads(),
        behind,
        driftSince,
        o.lastRebase() != null ? o.lastRebase() : prev.lastRebase());
  }

  private Condition workloadsCondition(SlimImageStatus prev, long gen, Observed o) {
    WorkloadPatcher.Report w = o.workloads();
    if (w == null) {
      return condition(prev, gen, Conditions.WORKLOADS_UPDATED, UNKNOWN, Conditions.PROGRESSING, "workloads not checked yet");
    }
    if (!w.failures().isEmpty()) {
      String which = w.failures().stream().map(WorkloadPatcher.Failure::describe).collect(Collectors.joining("; "));
      return condition(prev, gen, Conditions.WORKLOADS_UPDATED, FALSE,
          w.forbidden() ? Conditions.PATCH_FORBIDDEN : Conditions.API_ERROR, which);
    }
    if (w.containers().isEmpty()) {
      return condition(prev, gen, Conditions.WORKLOADS_UPDATED, TRUE, Conditions.NO_WORKLOADS,
          "no Deployment, StatefulSet, DaemonSet or CronJob runs the app or target repository");
    }
    if (w.behind() == 0) {
      return condition(prev, gen, Conditions.WORKLOADS_UPDATED, TRUE, Conditions.WORKLOADS_PINNED,
          w.containers().size() + " container(s) run " + o.image().ref());
    }
    if (!o.patchEnabled()) {
      return condition(prev, gen, Conditions.WORKLOADS_UPDATED, FALSE, Conditions.UPDATE_POLICY_OFF,
          w.behind() + " container(s) behind; spec.updatePolicy.mode is Off, so they are only reported");
    }
    return condition(prev, gen, Conditions.WORKLOADS_UPDATED, FALSE, Conditions.PROGRESSING,
        w.behind() + " container(s) behind; waiting for an image on the newest base");
  }

  private Condition ready(SlimImageStatus prev, long gen, Condition base, Condition rebased, Condition workloads, Condition stalled) {
    if (stalled.isTrue()) {
      return condition(prev, gen, Conditions.READY, FALSE, stalled.reason(), stalled.message());
    }
    for (Condition c : List.of(base, rebased)) {
      if (!c.isTrue()) {
        return condition(prev, gen, Conditions.READY, FALSE, c.reason(), c.message());
      }
    }
    if (!workloads.isTrue() && !Conditions.UPDATE_POLICY_OFF.equals(workloads.reason())) {
      return condition(prev, gen, Conditions.READY, FALSE, workloads.reason(), workloads.message());
    }
    return condition(prev, gen, Conditions.READY, TRUE, Conditions.UP_TO_DATE, rebased.message());
  }

  private static List<Condition> replace(SlimImageStatus prev, Condition c) {
    List<Condition> out = new ArrayList<>();
    out.add(c);
    if (prev.conditions() != null) {
      prev.conditions().stream().filter(x -> !x.type().equals(c.type())).forEach(out::add);
    }
    return out;
  }

  private static SlimImageStatus previous(SlimImage r) {
    return r.getStatus() != null ? r.getStatus() : SlimImageStatus.empty();
  }

  private static long generation(SlimImage r) {
    return r.getMetadata().getGeneration() == null ? 0 : r.getMetadata().getGeneration();
  }
}
