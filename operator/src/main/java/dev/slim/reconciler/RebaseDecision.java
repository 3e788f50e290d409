package dev.slim.reconciler;

import dev.slim.api.v1alpha1.SlimImageStatus;
import dev.slim.api.v1alpha1.SlimImageStatus.LastRebase;
import dev.slim.registry.Digest;
import java.util.Objects;

/**
 * Whether a SlimImage needs a re-base now, and why: a pure function of the spec generation, the
 * digests observed and the status, so every case is a line in a decision table.
 *
 * @param action what to do
 * @param reason a constant naming the rule that applied
 */
public record RebaseDecision(Action action, String reason) {

  /** What the reconciler does next. */
  public enum Action {
    /** spec.suspend: touch nothing. */
    SUSPEND,
    /** Make a new image: an input changed since the last attempt. */
    REBASE,
    /** The image for these inputs exists: only keep workloads pinned to it. */
    KEEP,
    /** The last attempt with exactly these inputs needed a human; do not repeat it. */
    HOLD
  }

  public static final String SUSPENDED = "Suspended";
  public static final String FIRST_REBASE = "FirstRebase";
  public static final String BASE_CHANGED = "BaseChanged";
  public static final String APP_CHANGED = "AppChanged";
  public static final String SPEC_CHANGED = "SpecChanged";
  public static final String UP_TO_DATE = "UpToDate";
  public static final String FAILED_BEFORE = "FailedBefore";

  /**
   * @param suspended spec.suspend
   * @param generation metadata.generation now
   * @param base the base digest observed now
   * @param app the app digest observed now
   * @param status the status as last written (may be null)
   */
  public static RebaseDecision decide(
      boolean suspended, long generation, Digest base, Digest app, SlimImageStatus status) {
    if (suspended) {
      return new RebaseDecision(Action.SUSPEND, SUSPENDED);
    }
    LastRebase last = status == null ? null : status.lastRebase();
    if (last == null) {
      return new RebaseDecision(Action.REBASE, FIRST_REBASE);
    }
    if (!base.value().equals(last.baseDigest())) {
      return new RebaseDecision(Action.REBASE, BASE_CHANGED);
    }
    if (!app.value().equals(last.appDigest())) {
      return new RebaseDecision(Action.REBASE, APP_CHANGED);
    }
    if (!Objects.equals(last.generation(), generation)) {
      return new RebaseDecision(Action.REBASE, SPEC_CHANGED);
    }
    if (LastRebase.SUCCEEDED.equals(last.outcome()) && status.image() != null) {
      return new RebaseDecision(Action.KEEP, UP_TO_DATE);
    }
    if (LastRebase.FAILED.equals(last.outcome())) {
      return new RebaseDecision(Action.HOLD, FAILED_BEFORE);
    }
    // A success without an image in status (edited by hand): make it again, it is reproducible.
    return new RebaseDecision(Action.REBASE, FIRST_REBASE);
  }
}
