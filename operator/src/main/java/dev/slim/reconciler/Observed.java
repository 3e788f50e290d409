package dev.slim.reconciler;

import dev.slim.api.v1alpha1.SlimImageStatus.BaseStatus;
import dev.slim.api.v1alpha1.SlimImageStatus.ImageStatus;
import dev.slim.api.v1alpha1.SlimImageStatus.LastRebase;

/**
 * What one reconcile found and did, the input of {@link StatusFactory}. Null parts were not
 * reached (an earlier step stalled) and keep their previous status.
 *
 * @param base the base as resolved now
 * @param image the image workloads should run: for the current inputs when {@code imageCurrent}
 * @param imageCurrent true when {@code image} was made from the current base, app and spec
 * @param lastRebase the last attempt
 * @param workloads matching workloads after patching
 * @param patchEnabled spec.updatePolicy.mode is Patch
 * @param stalled what a human must fix, if anything
 */
public record Observed(
    BaseStatus base,
    ImageStatus image,
    boolean imageCurrent,
    LastRebase lastRebase,
    WorkloadPatcher.Report workloads,
    boolean patchEnabled,
    StalledException stalled) {

  /** Nothing beyond the inputs was reached. */
  public static Observed stalledEarly(StalledException why) {
    return new Observed(null, null, false, null, null, false, why);
  }
}
