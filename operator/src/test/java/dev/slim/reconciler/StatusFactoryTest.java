package dev.slim.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slim.api.v1alpha1.Condition;
import dev.slim.api.v1alpha1.Conditions;
import dev.slim.api.v1alpha1.SlimImage;
import dev.slim.api.v1alpha1.SlimImageStatus;
import dev.slim.api.v1alpha1.SlimImageStatus.BaseStatus;
import dev.slim.api.v1alpha1.SlimImageStatus.ImageStatus;
import dev.slim.reconciler.StalledException.Stage;
import dev.slim.testing.MutableClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Conditions and drift from one reconcile's observations, with a clock moved by hand. */
class StatusFactoryTest {

  final MutableClock clock = MutableClock.at("2025-01-01T00:00:00Z");
  final StatusFactory factory = new StatusFactory(clock);
  final BaseStatus base = new BaseStatus("reg.test/base:latest", "sha256:" + "b".repeat(64), "bbbbbbbbbbbb", "2024-12-31T23:00:00Z");
  final ImageStatus image = new ImageStatus("reg.test/app:1-slim-bbbbbbbbbbbb@sha256:" + "c".repeat(64),
      "sha256:" + "c".repeat(64), "cccccccccccc", base.digest(), "sha256:" + "a".repeat(64), "2025-01-01T00:00:00Z");

  @Test
  void lastTransitionTimeIsKeptWhileAConditionDoesNotChange() {
    SlimImage r = resource(1);
    r.setStatus(factory.build(r, upToDate(0)));
    String readySince = ready(r.getStatus()).lastTransitionTime();

    clock.advance(Duration.ofMinutes(10));
    r.setStatus(factory.build(r, upToDate(0)));
    assertThat(ready(r.getStatus()).lastTransitionTime()).isEqualTo(readySince);

    clock.advance(Duration.ofMinutes(10));
    r.setStatus(factory.build(r, Observed.stalledEarly(new StalledException(Stage.BASE, Conditions.SECRET_MISSING, "Secret x missing"))));
    Condition notReady = ready(r.getStatus());
    assertThat(notReady.status()).isEqualTo(Condition.FALSE);
    assertThat(notReady.reason()).isEqualTo(Conditions.SECRET_MISSING);
    assertThat(notReady.lastTransitionTime()).isEqualTo(clock.instant().toString());
  }

  @Test
  void allGoodMeansReadyAndNotStalled() {
    SlimImageStatus s = factory.build(resource(3), upToDate(0));
    assertThat(s.observedGeneration()).isEqualTo(3);
    assertThat(s.conditions()).extracting(Condition::type).containsExactly(
        Conditions.READY, Conditions.BASE_RESOLVED, Conditions.REBASED, Conditions.WORKLOADS_UPDATED, Conditions.STALLED);
    assertThat(s.conditions()).extracting(Condition::status).containsExactly("True", "True", "True", "True", "False");
    assertThat(s.workloadsBehind()).isZero();
    assertThat(s.driftSince()).isNull();
    assertThat(s.conditions()).allMatch(c -> c.observedGeneration() == 3);
  }

  @Test
  void workloadsBehindSetDriftSinceTheBaseWasFirstSeen() {
    SlimImageStatus s = factory.build(resource(1), new Observed(base, image, true, null, report(2, 1), false, null));
    assertThat(s.workloadsBehind()).isEqualTo(2);
    assertThat(s.driftSince()).isEqualTo(base.detectedAt());
    assertThat(s.condition(Conditions.WORKLOADS_UPDATED).orElseThrow().reason()).isEqualTo(Conditions.UPDATE_POLICY_OFF);
    assertThat(s.condition(Conditions.READY).orElseThrow().isTrue()).as("Off is a choice, not a fault").isTrue();
  }

  @Test
  void aForbiddenPatchStallsAndNamesTheWorkload() {
    WorkloadPatcher.Report r = new WorkloadPatcher.Report(List.of(), List.of(),
        List.of(new WorkloadPatcher.Failure(WorkloadKind.DEPLOYMENT, "orders", 403, "forbidden")));
    SlimImageStatus s = factory.build(resource(1), new Observed(base, image, true, null, r, true, null));
    Condition stalled = s.condition(Conditions.STALLED).orElseThrow();
    assertThat(stalled.isTrue()).isTrue();
    assertThat(stalled.reason()).isEqualTo(Conditions.PATCH_FORBIDDEN);
    assertThat(stalled.message()).contains("Deployment orders");
    assertThat(s.condition(Conditions.REBASED).orElseThrow().isTrue()).isTrue();
  }

  @Test
  void aRefusedRebaseKeepsThePreviousImageAndSaysWhy() {
    SlimImage r = resource(1);
    r.setStatus(factory.build(r, upToDate(0)));
    SlimImageStatus s = factory.build(r, new Observed(base, null, false, null, report(1, 0), true,
        new StalledException(Stage.REBASE, "NotBasedOnOldBase", "layer 1 differs")));
    assertThat(s.image()).isEqualTo(image);
    assertThat(s.condition(Conditions.REBASED).orElseThrow().reason()).isEqualTo("NotBasedOnOldBase");
    assertThat(s.condition(Conditions.READY).orElseThrow().reason()).isEqualTo("NotBasedOnOldBase");
    assertThat(s.condition(Conditions.BASE_RESOLVED).orElseThrow().isTrue()).isTrue();
  }

  @Test
  void retryingOnlyTurnsReadyFalse() {
    SlimImage r = resource(1);
    r.setStatus(factory.build(r, upToDate(0)));
    SlimImageStatus s = factory.retrying(r, Conditions.REGISTRY_UNREACHABLE, "reg.test: connection refused");
    assertThat(s.condition(Conditions.READY).orElseThrow().reason()).isEqualTo(Conditions.REGISTRY_UNREACHABLE);
    assertThat(s.condition(Conditions.REBASED).orElseThrow().isTrue()).isTrue();
    assertThat(s.image()).isEqualTo(image);
  }

  @Test
  void theWorkloadListIsBoundedWithThoseBehindFirst() {
    SlimImageStatus s = factory.build(resource(1), new Observed(base, image, true, null, report(10, 60), true, null));
    assertThat(s.workloads()).hasSize(SlimImageStatus.MAX_WORKLOADS);
    assertThat(s.workloads().subList(0, 10)).allMatch(w -> !w.upToDate());
    assertThat(s.workloadsBehind()).isEqualTo(10);
  }

  private Observed upToDate(int behind) {
    return new Observed(base, image, true, null, report(behind, 2), true, null);
  }

  private WorkloadPatcher.Report report(int behind, int current) {
    List<WorkloadPatcher.Match> m = new ArrayList<>();
    for (int i = 0; i < behind; i++) {
      m.add(new WorkloadPatcher.Match(WorkloadKind.DEPLOYMENT, "old-" + i, "app", false, 0, "reg.test/app:1", false));
    }
    for (int i = 0; i < current; i++) {
      m.add(new WorkloadPatcher.Match(WorkloadKind.DEPLOYMENT, "new-" + i, "app", false, 0, image.ref(), true));
    }
    return new WorkloadPatcher.Report(m, List.of(), List.of());
  }

  private static Condition ready(SlimImageStatus s) {
    return s.condition(Conditions.READY).orElseThrow();
  }

  private static SlimImage resource(long generation) {
    SlimImage r = new SlimImage();
    r.setMetadata(new ObjectMetaBuilder().withName("orders").withNamespace("shop").withGeneration(generation).build());
    return r;
  }
}
