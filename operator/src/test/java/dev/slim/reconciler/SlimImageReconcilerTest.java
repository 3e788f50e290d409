package dev.slim.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;

import dev.slim.api.v1alpha1.Condition;
import dev.slim.api.v1alpha1.Conditions;
import dev.slim.api.v1alpha1.SlimImage;
import dev.slim.api.v1alpha1.SlimImageSpec;
import dev.slim.api.v1alpha1.SlimImageStatus;
import dev.slim.config.OperatorConfig;
import dev.slim.metrics.SlimImageMetrics;
import dev.slim.rebase.RebaseException;
import dev.slim.registry.Digest;
import dev.slim.registry.FakeImages;
import dev.slim.registry.FakeImages.Image;
import dev.slim.registry.ImageRef;
import dev.slim.registry.InMemoryImageRegistry;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.RegistryException;
import dev.slim.testing.MutableClock;
import dev.slim.testing.Workloads;
import dev.slim.watch.BaseWatcher;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler end to end below JOSDK: a mocked Context, the fabric8 mock API server in CRUD
 * mode for workloads, Secrets and Events, the real Rebaser over an in-memory registry.
 */
@EnableKubernetesMockClient(crud = true)
class SlimImageReconcilerTest {

  static final String NS = "shop";

  KubernetesMockServer server;
  KubernetesClient client;

  final MutableClock clock = MutableClock.at("2025-01-01T00:00:00Z");
  final InMemoryImageRegistry registry = new InMemoryImageRegistry();
  final FakeImages images = new FakeImages(registry);
  final AtomicReference<ImageRegistry> registryInUse = new AtomicReference<>(registry);
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final SlimImageMetrics metrics = new SlimImageMetrics(meters, clock);
  final BaseWatcher<ResourceID> watcher = new BaseWatcher<>(c -> registryInUse.get(), clock, Runnable::run, Duration.ofMinutes(5));
  final OperatorConfig config = OperatorConfig.fromEnv(Map.of());
  @SuppressWarnings("unchecked")
  final Context<SlimImage> context = mock(Context.class);

  SlimImageReconciler reconciler;
  Workloads workloads;
  Image baseV1;
  Image app;

  @BeforeEach
  void setUp() {
    EventRecorder events = new EventRecorder(client, clock);
    reconciler = new SlimImageReconciler(new SlimImageParts(config, watcher, new SecretCredentials(client),
        new ImagePublisher(c -> registryInUse.get(), metrics, events, clock), new WorkloadPatcher(client, metrics), events,
        new StatusFactory(clock), metrics, clock), List.of());
    workloads = new Workloads(client, NS);
    baseV1 = images.base("reg.test/base:latest", "linux/amd64", List.of("os-1"), Map.of("PATH", "/bin"));
    app = images.app("reg.test/shop/app:1.0", baseV1, List.of("deps", "code"));
  }

  @Test
  void firstReconcileRebasesPushesAndPinsEveryMatchingWorkload() {
    workloads.deployment("orders", Map.of("app", "orders"), "reg.test/shop/app:1.0");
    workloads.deploymentWithSidecar("orders-canary", "reg.test/shop/app:1.0", "reg.test/mesh/proxy:2");
    workloads.statefulSet("orders-db-migrator", "reg.test/shop/app:1.0");
    workloads.daemonSet("orders-agent", "reg.test/shop/app:1.0");
    workloads.cronJob("orders-report", "reg.test/shop/app:1.0");
    workloads.deployment("unrelated", Map.of("app", "other"), "reg.test/other/thing:3");

    SlimImage r = reconcile(slimImage("orders", spec("reg.test/shop/app:1.0", "reg.test/base:latest")));

    SlimImageStatus s = r.getStatus();
    assertThat(s.condition(Conditions.READY).orElseThrow()).extracting(Condition::status, Condition::reason)
        .containsExactly("True", Conditions.UP_TO_DATE);
    String tag = "1.0-slim-" + baseV1.digest().shortHex(12);
    assertThat(s.image().ref()).startsWith("reg.test/shop/app:" + tag + "@sha256:");
    assertThat(registry.hasTag(ImageRef.parse("reg.test/shop/app:" + tag))).isTrue();
    assertThat(registry.resolve(ImageRef.parse("reg.test/shop/app:" + tag)).value()).isEqualTo(s.image().digest());
    assertThat(s.base().digest()).isEqualTo(baseV1.digest().value());
    assertThat(s.lastRebase().outcome()).isEqualTo("Succeeded");
    assertThat(s.workloadsBehind()).isZero();
    assertThat(s.workloads()).hasSize(5);

    assertThat(workloads.deploymentImages("orders")).containsExactly(s.image().ref());
    assertThat(workloads.deploymentImages("orders-canary")).containsExactly(s.image().ref(), "reg.test/mesh/proxy:2");
    assertThat(workloads.statefulSetImage("orders-db-migrator")).isEqualTo(s.image().ref());
    assertThat(workloads.daemonSetImage("orders-agent")).isEqualTo(s.image().ref());
    assertThat(workloads.cronJobImage("orders-report")).isEqualTo(s.image().ref());
    assertThat(workloads.deploymentImages("unrelated")).containsExactly("reg.test/other/thing:3");
    assertThat(eventReasons()).contains(EventRecorder.REBASED).filteredOn(EventRecorder.WORKLOAD_PINNED::equals).hasSize(5);
    assertThat(meters.get("slimimage.rebases").tag("outcome", "succeeded").counter().count()).isEqualTo(1);
    assertThat(meters.get("slimimage.workload.patches").tag("kind", "Deployment").counter().count()).isEqualTo(2);
  }

  @Test
  void onlyTheImageFieldChanges() {
    workloads.deploymentWithInitContainer("orders", "reg.test/shop/app:1.0", "reg.test/shop/app:1.0");
    Deployment before = client.apps().deployments().inNamespace(NS).withName("orders").get();

    SlimImage r = reconcile(slimImage("orders", spec("reg.test/shop/app:1.0", "reg.test/base:latest")));

    Deployment after = client.apps().deployments().inNamespace(NS).withName("orders").get();
    var pod = after.getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers().get(0).getImage()).isEqualTo(r.getStatus().image().ref());
    assertThat(pod.getInitContainers().get(0).getImage()).isEqualTo(r.getStatus().image().ref());
    pod.getContainers().get(0).setImage("x");
    pod.getInitContainers().get(0).setImage("x");
    before.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("x");
    before.getSpec().getTemplate().getSpec().getInitContainers().get(0).setImage("x");
    assertThat(after.getSpec()).isEqualTo(before.getSpec());
    assertThat(after.getMetadata().getLabels()).isEqualTo(before.getMetadata().getLabels());
  }

  @Test
  void nothingChangedMeansNoPushAndNoPatch() {
    workloads.deployment("orders", Map.of(), "reg.test/shop/app:1.0");
    SlimImage r = reconcile(slimImage("orders", spec("reg.test/shop/app:1.0", "reg.test/base:latest")));
    String resourceVersion = client.apps().deployments().inNamespace(NS).withName("orders").get().getMetadata().getResourceVersion();
    int requests = registry.requests().size();

    UpdateControl<SlimImage> again = reconciler.reconcile(r, context);

    assertThat(again.isNoUpdate()).as("status unchanged").isTrue();
    assertThat(registry.requests().subList(requests, registry.requests().size())).isEmpty();
    assertThat(client.apps().deployments().inNamespace(NS).withName("orders").get().getMetadata().getResourceVersion())
        .isEqualTo(resourceVersion);
  }

  @Test
  void aNewBaseDigestIsRebasedAndRepinnedWithItsOwnTag() {
    workloads.deployment("orders", Map.of(), "reg.test/shop/app:1.0");
    SlimImage r = reconcile(slimImage("orders", spec("reg.test/shop/app:1.0", "reg.test/base:latest")));
    String first = r.getStatus().image().ref();

    Image baseV2 = images.base("reg.test/base:latest", "linux/amd64", List.of("os-2"), Map.of("PATH", "/bin"));
    List<ResourceID> told = new java.util.ArrayList<>();
    watcher.setListener((ref, ids) -> told.addAll(ids));
    clock.advance(Duration.ofMinutes(5));
    watcher.tick();
    assertThat(told).containsExactly(ResourceID.fromResource(r));

    r = reconcile(r);

    assertThat(r.getStatus().image().ref()).startsWith("reg.test/shop/app:1.0-slim-" + baseV2.digest().shortHex(12) + "@");
    assertThat(r.getStatus().image().ref()).isNotEqualTo(first);
    assertThat(r.getStatus().base().detectedAt()).isEqualTo(clock.instant().toString());
    assertThat(workloads.deploymentImages("orders")).containsExactly(r.getStatus().image().ref());
    assertThat(registry.hasTag(ImageRef.parse(first.substring(0, first.indexOf('@'))))).as("old tag kept").isTrue();
  }

  @Test
  void updatePolicyOffOnlyReportsAndDriftCounts() {
    workloads.deployment("orders", Map.of(), "reg.test/shop/app:1.0");
    SlimImageSpec spec = spec("reg.test/shop/app:1.0", "reg.test/base:latest");
    spec = new SlimImageSpec(spec.app(), spec.base(), null, null, new SlimImageSpec.UpdatePolicy(SlimImageSpec.UpdatePolicy.Mode.Off),
        null, false);
    SlimImage r = reconcile(slimImage("orders", spec));

    assertThat(workloads.deploymentImages("orders")).containsExactly("reg.test/shop/app:1.0");
    assertThat(r.getStatus().workloadsBehind()).isEqualTo(1);
    assertThat(r.getStatus().condition(Conditions.WORKLOADS_UPDATED).orElseThrow().reason()).isEqualTo(Conditions.UPDATE_POLICY_OFF);
    clock.advance(Duration.ofSeconds(90));
    assertThat(meters.get("slimimage.base.drift").tag("name", "orders").gauge().value()).isEqualTo(90.0);
    assertThat(meters.get("slimimage.workloads.behind").tag("name", "orders").gauge().value()).isEqualTo(1.0);
  }

  @Test
  void theSelectorNarrowsWhichWorkloadsArePinned() {
    workloads.deployment("orders", Map.of("app", "orders"), "reg.test/shop/app:1.0");
    workloads.deployment("orders-legacy", Map.of("app", "legacy"), "reg.test/shop/app:1.0");
    SlimImageSpec spec = spec("reg.test/shop/app:1.0", "reg.test/base:latest");
    spec = new SlimImageSpec(spec.app(), spec.base(), null, null, null,
        new SlimImageSpec.Workloads(new SlimImageSpec.Selector(Map.of("app", "orders"), null)), false);

    SlimImage r = reconcile(slimImage("orders", spec));

    assertThat(workloads.deploymentImages("orders")).containsExactly(r.getStatus().image().ref());
    assertThat(workloads.deploymentImages("orders-legacy")).containsExactly("reg.test/shop/app:1.0");
  }

  @Test
  void suspendStopsAllAction() {
    workloads.deployment("orders", Map.of(), "reg.test/shop/app:1.0");
    SlimImageSpec spec = spec("reg.test/shop/app:1.0", "reg.test/base:latest");
    spec = new SlimImageSpec(spec.app(), spec.base(), null, null, null, null, true);

    SlimImage r = reconcile(slimImage("orders", spec));

    assertThat(registry.requests()).noneMatch(x -> x.startsWith("resolve") || x.startsWith("push"));
    assertThat(workloads.deploymentImages("orders")).containsExactly("reg.test/shop/app:1.0");
    assertThat(r.getStatus().condition(Conditions.READY).orElseThrow().reason()).isEqualTo(Conditions.SUSPENDED);
    assertThat(watcher.size()).isZero();
  }

  @Test
  void registrySecretsAreReadFromTheOwnNamespaceAndMerged() {
    secret(NS, "first", dockerConfig("reg.test", "alice", "s3cr3t-one"));
    secret(NS, "second", dockerConfig("other.test", "bob", "s3cr3t-two"));
    AtomicReference<dev.slim.registry.RegistryCredentials> seen = new AtomicReference<>();
    reconciler = reconcilerWith(c -> {
      seen.set(c);
      return registry;
    });
    SlimImageSpec spec = spec("reg.test/shop/app:1.0", "reg.test/base:latest");
    spec = new SlimImageSpec(spec.app(), spec.base(), null,
        List.of(new SlimImageSpec.SecretRef("first"), new SlimImageSpec.SecretRef("second")), null, null, false);

    SlimImage r = reconcile(slimImage("orders", spec));

    assertThat(r.getStatus().condition(Conditions.READY).orElseThrow().isTrue()).isTrue();
    assertThat(seen.get().forRegistry("reg.test").orElseThrow().username()).isEqualTo("alice");
    assertThat(seen.get().forRegistry("other.test").orElseThrow().username()).isEqualTo("bob");
  }

  @Test
  void aMissingSecretStallsWithoutPushing() {
    SlimImageSpec spec = spec("reg.test/shop/app:1.0", "reg.test/base:latest");
    spec = new SlimImageSpec(spec.app(), spec.base(), null, List.of(new SlimImageSpec.SecretRef("regcred")), null, null, false);
    secret("elsewhere", "regcred", dockerConfig("reg.test", "alice", "s3cr3t"));

    SlimImage r = reconcile(slimImage("orders", spec));

    assertStalled(r, Conditions.SECRET_MISSING, "Secret shop/regcred");
    assertThat(registry.requests()).isEmpty();
  }

  @Test
  void aMalformedSecretStallsAndItsValueAppearsNowhere() {
    String auth = Base64.getEncoder().encodeToString("alice-without-colon-s3cr3t".getBytes(StandardCharsets.UTF_8));
    secret(NS, "regcred", "{\"auths\":{\"reg.test\":{\"auth\":\"" + auth + "\"}}}");
    SlimImageSpec spec = spec("reg.test/shop/app:1.0", "reg.test/base:latest");
    spec = new SlimImageSpec(spec.app(), spec.base(), null, List.of(new SlimImageSpec.SecretRef("regcred")), null, null, false);

    SlimImage r = reconcile(slimImage("orders", spec));

    assertStalled(r, Conditions.SECRET_INVALID, "Secret shop/regcred");
    assertThat(client.getKubernetesSerialization().asJson(r.getStatus())).doesNotContain("s3cr3t", auth);
    assertThat(registry.requests()).isEmpty();
  }

  @Test
  void anInvalidReferenceStalls() {
    SlimImage r = reconcile(slimImage("orders", spec("reg.test/Shop/App:1.0", "reg.test/base:latest")));
    assertStalled(r, Conditions.INVALID_REFERENCE, "spec.app.image");
    assertThat(r.getStatus().condition(Conditions.BASE_RESOLVED).orElseThrow().status()).isEqualTo("False");
  }

  @Test
  void anUnknownBaseOrAppStalls() {
    assertStalled(reconcile(slimImage("a", spec("reg.test/shop/app:1.0", "reg.test/nope:latest"))),
        Conditions.BASE_NOT_FOUND, "reg.test/nope");
    assertStalled(reconcile(slimImage("b", spec("reg.test/shop/gone:1.0", "reg.test/base:latest"))),
        Conditions.APP_NOT_FOUND, "reg.test/shop/gone");
  }

  @Test
  void anAppNotOnItsOldBaseStallsOnceAndIsNotRetriedInALoop() {
    Image other = images.base("reg.test/other-base:1", "linux/amd64", List.of("other-os"), Map.of());
    workloads.deployment("orders", Map.of(), "reg.test/shop/app:1.0");
    SlimImageSpec spec = new SlimImageSpec(new SlimImageSpec.App("reg.test/shop/app:1.0", other.ref().toString()),
        new SlimImageSpec.Base("reg.test/base:latest", null), null, null, null, null, false);

    SlimImage r = reconcile(slimImage("orders", spec));
    assertStalled(r, RebaseException.NOT_BASED_ON_OLD_BASE, "differs");
    assertThat(registry.requests()).noneMatch(x -> x.startsWith("push"));
    assertThat(workloads.deploymentImages("orders")).containsExactly("reg.test/shop/app:1.0");
    assertThat(r.getStatus().workloadsBehind()).isEqualTo(1);
    assertThat(eventReasons()).contains(EventRecorder.REBASE_FAILED);

    int requests = registry.requests().size();
    r = reconcile(r);
    assertStalled(r, RebaseException.NOT_BASED_ON_OLD_BASE, "differs");
    assertThat(registry.requests().subList(requests, registry.requests().size())).as("HOLD: no second attempt").isEmpty();
    assertThat(meters.get("slimimage.rebases").tag("outcome", "failed").counter().count()).isEqualTo(1);
  }

  @Test
  void aPlatformMismatchStalls() {
    images.base("reg.test/arm-base:latest", "linux/arm64", List.of("os-arm"), Map.of());
    SlimImage r = reconcile(slimImage("orders", spec("reg.test/shop/app:1.0", "reg.test/arm-base:latest")));
    assertStalled(r, RebaseException.PLATFORM_MISMATCH, "arm64");
  }

  @Test
  void anUnreachableRegistryIsRetriedWithReadyFalse() {
    registryInUse.set(new UnreachableRegistry());
    SlimImage r = slimImage("orders", spec("reg.test/shop/app:1.0", "reg.test/base:latest"));

    assertThatThrownBy(() -> reconciler.reconcile(r, context))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.retryable()).isTrue());
    ErrorStatusUpdateControl<SlimImage> control = reconciler.updateErrorStatus(r, context,
        new RegistryException(RegistryException.Kind.UNREACHABLE, "reg.test", "reg.test/base:latest", "connection refused"));

    Condition ready = control.getResource().orElseThrow().getStatus().condition(Conditions.READY).orElseThrow();
    assertThat(ready.status()).isEqualTo("False");
    assertThat(ready.reason()).isEqualTo(Conditions.REGISTRY_UNREACHABLE);
    assertThat(control.isNoRetry()).isFalse();
  }

  @Test
  void aForbiddenPatchIsAConditionNamingTheWorkload() {
    workloads.deployment("orders", Map.of(), "reg.test/shop/app:1.0");
    server.expect().patch().withPath("/apis/apps/v1/namespaces/shop/deployments/orders?fieldManager=" + WorkloadPatcher.FIELD_MANAGER)
        .andReturn(403, new io.fabric8.kubernetes.api.model.StatusBuilder().withCode(403).withReason("Forbidden")
            .withMessage("deployments.apps \"orders\" is forbidden: User \"system:serviceaccount:slim:op\" cannot patch").build())
        .always();

    SlimImage r = reconcile(slimImage("orders", spec("reg.test/shop/app:1.0", "reg.test/base:latest")));

    assertStalled(r, Conditions.PATCH_FORBIDDEN, "Deployment orders");
    assertThat(r.getStatus().condition(Conditions.REBASED).orElseThrow().isTrue()).isTrue();
    assertThat(r.getStatus().condition(Conditions.WORKLOADS_UPDATED).orElseThrow().reason()).isEqualTo(Conditions.PATCH_FORBIDDEN);
    assertThat(meters.get("slimimage.workload.patches").tag("outcome", "forbidden").counter().count()).isEqualTo(1);
  }

  @Test
  void aTargetThatWouldOverwriteTheAppTagStalls() {
    SlimImageSpec spec = spec("reg.test/shop/app:1.0", "reg.test/base:latest");
    spec = new SlimImageSpec(spec.app(), spec.base(), new SlimImageSpec.Target("reg.test/shop/app:1.0"), null, null, null, false);
    assertStalled(reconcile(slimImage("orders", spec)), Conditions.TARGET_IS_APP, "overwrite");
  }

  @Test
  void anExplicitTargetRepositoryAndTagAreUsed() {
    workloads.deployment("orders", Map.of(), "reg.test/shop/app:1.0");
    SlimImageSpec spec = spec("reg.test/shop/app:1.0", "reg.test/base:latest");
    spec = new SlimImageSpec(spec.app(), spec.base(), new SlimImageSpec.Target("reg.test/slim/app"), null, null, null, false);
    SlimImage r = reconcile(slimImage("orders", spec));
    assertThat(r.getStatus().image().ref()).startsWith("reg.test/slim/app:1.0-slim-");
    assertThat(workloads.deploymentImages("orders")).containsExactly(r.getStatus().image().ref());
  }

  // --- helpers -------------------------------------------------------------------------------

  private SlimImage reconcile(SlimImage r) {
    UpdateControl<SlimImage> control = reconciler.reconcile(r, context);
    return control.getResource().orElse(r);
  }

  private SlimImageReconciler reconcilerWith(java.util.function.Function<dev.slim.registry.RegistryCredentials, ImageRegistry> f) {
    EventRecorder events = new EventRecorder(client, clock);
    BaseWatcher<ResourceID> w = new BaseWatcher<>(f, clock, Runnable::run, Duration.ofMinutes(5));
    return new SlimImageReconciler(new SlimImageParts(config, w, new SecretCredentials(client),
        new ImagePublisher(f, metrics, events, clock), new WorkloadPatcher(client, metrics), events,
        new StatusFactory(clock), metrics, clock), List.of());
  }

  private void assertStalled(SlimImage r, String reason, String messagePart) {
    Condition stalled = r.getStatus().condition(Conditions.STALLED).orElseThrow();
    assertThat(stalled.status()).isEqualTo("True");
    assertThat(stalled.reason()).isEqualTo(reason);
    assertThat(stalled.message()).contains(messagePart);
    assertThat(r.getStatus().condition(Conditions.READY).orElseThrow().status()).isEqualTo("False");
  }

  private List<String> eventReasons() {
    return client.v1().events().inNamespace(NS).list().getItems().stream().map(e -> e.getReason()).toList();
  }

  private void secret(String namespace, String name, String dockerConfigJson) {
    client.secrets().inNamespace(namespace).resource(new SecretBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build())
        .withType(SecretCredentials.TYPE)
        .addToData(SecretCredentials.KEY, Base64.getEncoder().encodeToString(dockerConfigJson.getBytes(StandardCharsets.UTF_8)))
        .build()).create();
  }

  static String dockerConfig(String host, String user, String password) {
    return "{\"auths\":{\"" + host + "\":{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}}}";
  }

  static SlimImageSpec spec(String app, String base) {
    return new SlimImageSpec(new SlimImageSpec.App(app, null), new SlimImageSpec.Base(base, null), null, null, null, null, false);
  }

  static SlimImage slimImage(String name, SlimImageSpec spec) {
    SlimImage r = new SlimImage();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).withGeneration(1L).withUid("uid-" + name).build());
    r.setSpec(spec);
    return r;
  }

  /** Every request fails as if the registry were down. */
  static final class UnreachableRegistry extends InMemoryImageRegistry {
    @Override
    public Digest resolve(ImageRef ref) {
      throw new RegistryException(RegistryException.Kind.UNREACHABLE, ref.registry(), ref.toString(), "connection refused");
    }
  }
}
