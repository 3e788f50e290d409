package dev.slim.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.slim.OperatorRunner;
import dev.slim.OperatorRunner.RunningOperator;
import dev.slim.api.v1alpha1.Condition;
import dev.slim.api.v1alpha1.Conditions;
import dev.slim.api.v1alpha1.SlimImage;
import dev.slim.api.v1alpha1.SlimImageSpec;
import dev.slim.api.v1alpha1.SlimImageStatus;
import dev.slim.config.OperatorConfig;
import dev.slim.rebase.RebaseException;
import dev.slim.reconciler.WorkloadPatcher;
import dev.slim.registry.jib.JibImageRegistry;
import dev.slim.testing.ApiServer;
import dev.slim.testing.Layer;
import dev.slim.testing.PushedImage;
import dev.slim.testing.RegistryServer;
import dev.slim.testing.TestImages;
import dev.slim.testing.Workloads;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator in-process against a real Distribution registry and an API server (mock or
 * testbed, see {@link ApiServer}): a new base digest reaches every matching workload, status and
 * metrics say so, and each kind of bad input ends in a clear condition without hurting others.
 */
class OperatorIT {

  static final Duration SOON = Duration.ofSeconds(60);

  final RegistryServer registry = RegistryServer.shared();
  final ApiServer api = ApiServer.shared();
  final KubernetesClient client = api.client();
  final TestImages images = new TestImages(registry);
  final String prefix = "it" + UUID.randomUUID().toString().substring(0, 6);
  String ns;
  Workloads workloads;
  RunningOperator operator;

  @BeforeEach
  void setUp() {
    ns = api.newNamespace("slim-it");
    workloads = new Workloads(client, ns);
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void aNewBaseDigestReachesEveryMatchingWorkloadAndTheMetrics() throws Exception {
    PushedImage baseV1 = base("wolfi:latest", "v1");
    PushedImage app = app("shop/orders:1.4.2", baseV1);
    String appRef = app.ref().toString();
    for (String name : List.of("orders", "orders-canary", "orders-eu")) {
      workloads.deployment(name, Map.of("app", "orders"), appRef);
    }
    workloads.statefulSet("orders-ledger", appRef);
    workloads.cronJob("orders-report", appRef);
    workloads.deployment("unrelated", Map.of("app", "other"), registry.host() + "/" + prefix + "/other:1");
    start(client);

    create("orders", spec(appRef, baseV1.ref().withDigest(null).toString()));

    SlimImage first = awaitStatus("orders", s -> isTrue(s, Conditions.READY)
        && s.base().digest().equals(baseV1.digest().value()) && s.workloadsBehind() == 0);
    String pinnedV1 = first.getStatus().image().ref();
    assertThat(pinnedV1).startsWith(registry.host() + "/" + prefix + "/shop/orders:1.4.2-slim-" + baseV1.digest().shortHex(12) + "@sha256:");
    assertAllPinned(pinnedV1);

    PushedImage baseV2 = base("wolfi:latest", "v2");
    SlimImage second = awaitStatus("orders", s -> isTrue(s, Conditions.READY)
        && s.base().digest().equals(baseV2.digest().value()) && s.workloadsBehind() == 0);
    String pinnedV2 = second.getStatus().image().ref();
    assertThat(pinnedV2).contains(":1.4.2-slim-" + baseV2.digest().shortHex(12) + "@sha256:");
    assertThat(second.getStatus().image().baseDigest()).isEqualTo(baseV2.digest().value());
    assertAllPinned(pinnedV2);
    assertThat(workloads.deploymentImages("unrelated")).containsExactly(registry.host() + "/" + prefix + "/other:1");
    assertThat(second.getStatus().workloads()).hasSize(5).allMatch(w -> w.upToDate());
    assertThat(second.getStatus().lastRebase().bytesUploaded()).isPositive().isLessThan(16_384);
    assertThat(client.v1().events().inNamespace(ns).list().getItems()).extracting(e -> e.getReason())
        .contains("Rebased", "WorkloadPinned");

    String metrics = scrape("/metrics");
    String series = "{name=\"orders\",namespace=\"" + ns + "\"}";
    assertThat(metrics)
        .contains("slimimage_workloads_behind" + series + " 0.0")
        .contains("slimimage_base_drift_seconds" + series + " 0.0")
        .contains("slimimage_rebases_total{outcome=\"succeeded\"} 2.0")
        .contains("slimimage_rebase_duration_seconds_bucket")
        .contains("slimimage_workload_patches_total{kind=\"Deployment\",outcome=\"succeeded\"} 6.0")
        .contains("slimimage_registry_requests_total{code=\"200\",operation=\"head_manifest\",registry=\"" + registry.host() + "\"}")
        .contains("operator_sdk_");
    assertThat(scrape("/healthz")).isEqualTo("ok\n");
    assertThat(scrape("/readyz")).isEqualTo("ok\n");

    client.resources(SlimImage.class).inNamespace(ns).withName("orders").delete();
    await().atMost(SOON).untilAsserted(() -> assertThat(scrape("/metrics")).doesNotContain(series));
    assertAllPinned(pinnedV2);
  }

  @Test
  void badInputsEndInClearConditionsAndDoNotHurtOthers() throws Exception {
    PushedImage baseV1 = base("distroless:latest", "v1");
    PushedImage other = base("other:1", "other");
    PushedImage app = app("shop/cart:2.0", baseV1);
    PushedImage arm = images.image().platform("linux/arm64").layer(layer("arm")).push(prefix + "/arm:latest");
    String baseTag = baseV1.ref().withDigest(null).toString();
    start(client);

    create("good", spec(app.ref().toString(), baseTag));
    create("invalid-ref", spec(registry.host() + "/" + prefix + "/Shop/Cart:2.0", baseTag));
    create("unknown-base", spec(app.ref().toString(), registry.host() + "/" + prefix + "/nope:latest"));
    create("unknown-app", spec(registry.host() + "/" + prefix + "/shop/gone:1", baseTag));
    create("not-on-old-base", new SlimImageSpec(new SlimImageSpec.App(app.ref().toString(), other.ref().toString()),
        new SlimImageSpec.Base(baseTag, null), null, null, null, null, false));
    create("platform-mismatch", spec(app.ref().toString(), arm.ref().withDigest(null).toString()));
    create("unreachable", spec(app.ref().toString(), "127.0.0.1:1/" + prefix + "/base:latest"));
    create("missing-secret", new SlimImageSpec(new SlimImageSpec.App(app.ref().toString(), null),
        new SlimImageSpec.Base(baseTag, null), null, List.of(new SlimImageSpec.SecretRef("regcred")), null, null, false));

    awaitStatus("good", s -> isTrue(s, Conditions.READY));
    awaitStalled("invalid-ref", Conditions.INVALID_REFERENCE);
    awaitStalled("unknown-base", Conditions.BASE_NOT_FOUND);
    awaitStalled("unknown-app", Conditions.APP_NOT_FOUND);
    awaitStalled("not-on-old-base", RebaseException.NOT_BASED_ON_OLD_BASE);
    awaitStalled("platform-mismatch", RebaseException.PLATFORM_MISMATCH);
    awaitStalled("missing-secret", Conditions.SECRET_MISSING);
    SlimImage unreachable = awaitStatus("unreachable", s -> s.condition(Conditions.READY)
        .filter(c -> Conditions.REGISTRY_UNREACHABLE.equals(c.reason())).isPresent());
    assertThat(unreachable.getStatus().condition(Conditions.STALLED).filter(Condition::isTrue)).isEmpty();

    // The good one keeps working: a new base still reaches it.
    PushedImage baseV2 = base("distroless:latest", "v2");
    awaitStatus("good", s -> isTrue(s, Conditions.READY) && s.base().digest().equals(baseV2.digest().value()));
    assertThat(scrape("/metrics")).contains("slimimage_rebases_total{outcome=\"failed\"}");
  }

  @Test
  void aPatchTheOperatorMayNotMakeIsAConditionNamingTheWorkload() throws Exception {
    PushedImage baseV1 = base("jre:latest", "v1");
    PushedImage app = app("shop/pay:3.1", baseV1);
    workloads.deployment("pay", Map.of(), app.ref().toString());
    start(api.clientDeniedPatch(ns, "pay"));

    create("pay", spec(app.ref().toString(), baseV1.ref().withDigest(null).toString()));

    SlimImage r = awaitStalled("pay", Conditions.PATCH_FORBIDDEN);
    assertThat(r.getStatus().condition(Conditions.STALLED).orElseThrow().message()).contains("Deployment pay");
    assertThat(isTrue(r.getStatus(), Conditions.REBASED)).isTrue();
    assertThat(workloads.deploymentImages("pay")).containsExactly(app.ref().toString());
    assertThat(scrape("/metrics")).contains("slimimage_workload_patches_total{kind=\"Deployment\",outcome=\"forbidden\"}");
  }

  /**
   * Server-side apply semantics on a real API server: a workload applied by a GitOps tool keeps
   * that manager's ownership of everything but the image, which the operator's patch takes over.
   */
  @Test
  void onlyTheImageFieldChangesHandsAndOtherManagersKeepTheirFields() throws Exception {
    assumeFalse(api.isMock(), "the mock API server has no server-side apply or managedFields");
    PushedImage baseV1 = base("static:latest", "v1");
    PushedImage app = app("shop/web:5", baseV1);
    client.resource(new DeploymentBuilder()
            .withNewMetadata().withName("web").withNamespace(ns).addToLabels("app", "web").endMetadata()
            .withNewSpec().withReplicas(3).withNewSelector().addToMatchLabels("app", "web").endSelector()
            .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
            .withNewSpec().addNewContainer().withName("web").withImage(app.ref().toString())
            .addNewEnv().withName("MODE").withValue("prod").endEnv().endContainer().endSpec().endTemplate().endSpec()
            .build())
        .fieldManager("gitops").forceConflicts().serverSideApply();
    start(client);

    create("web", spec(app.ref().toString(), baseV1.ref().withDigest(null).toString()));
    String pinned = awaitStatus("web", s -> isTrue(s, Conditions.READY) && s.workloadsBehind() == 0).getStatus().image().ref();

    Deployment web = client.apps().deployments().inNamespace(ns).withName("web").get();
    assertThat(web.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo(pinned);
    assertThat(web.getSpec().getReplicas()).isEqualTo(3);
    Map<String, String> owners = new HashMap<>();
    for (ManagedFieldsEntry entry : web.getMetadata().getManagedFields()) {
      owners.put(entry.getManager(), client.getKubernetesSerialization().asJson(entry.getFieldsV1()));
    }
    assertThat(owners.get(WorkloadPatcher.FIELD_MANAGER)).contains("\"f:image\"").doesNotContain("f:replicas").doesNotContain("f:env");
    assertThat(owners.get("gitops")).contains("f:replicas").contains("f:env").doesNotContain("\"f:image\"");
  }

  // --- helpers -------------------------------------------------------------------------------

  private void start(KubernetesClient operatorClient) throws IOException {
    OperatorConfig config = OperatorConfig.fromEnv(Map.of(
        OperatorConfig.NAMESPACES, ns,
        OperatorConfig.INSECURE_REGISTRIES, registry.host() + ",127.0.0.1:1",
        OperatorConfig.METRICS_PORT, "0",
        OperatorConfig.DEFAULT_POLL_INTERVAL, "1s",
        OperatorConfig.MIN_POLL_INTERVAL, "1s",
        OperatorConfig.MAX_REGISTRY_BACKOFF, "2s",
        OperatorConfig.REGISTRY_MAX_ATTEMPTS, "1"));
    operator = OperatorRunner.start(config, operatorClient, JibImageRegistry::new, Clock.systemUTC());
  }

  private PushedImage base(String repoTag, String content) {
    return images.image().layer(layer("os-" + content)).env("PATH=/usr/bin:/bin").push(prefix + "/" + repoTag);
  }

  private PushedImage app(String repoTag, PushedImage base) {
    return images.on(base).layer(layer("app-" + repoTag))
        .annotation("org.opencontainers.image.base.name", base.ref().withDigest(null).toString())
        .annotation("org.opencontainers.image.base.digest", base.digest().value())
        .push(prefix + "/" + repoTag);
  }

  private static Layer layer(String content) {
    return Layer.of(Map.of("etc/" + content.replaceAll("[^a-z0-9.-]", "-"), content + "\n"));
  }

  private void assertAllPinned(String pinned) {
    await().atMost(SOON).untilAsserted(() -> {
      for (String name : List.of("orders", "orders-canary", "orders-eu")) {
        assertThat(workloads.deploymentImages(name)).containsExactly(pinned);
      }
      assertThat(workloads.statefulSetImage("orders-ledger")).isEqualTo(pinned);
      assertThat(workloads.cronJobImage("orders-report")).isEqualTo(pinned);
    });
  }

  private void create(String name, SlimImageSpec spec) {
    SlimImage r = new SlimImage();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    r.setSpec(spec);
    client.resources(SlimImage.class).inNamespace(ns).resource(r).create();
  }

  private SlimImage awaitStatus(String name, java.util.function.Predicate<SlimImageStatus> done) {
    return await().atMost(SOON).pollInterval(Duration.ofMillis(200)).until(
        () -> client.resources(SlimImage.class).inNamespace(ns).withName(name).get(),
        r -> r != null && r.getStatus() != null && done.test(r.getStatus()));
  }

  private SlimImage awaitStalled(String name, String reason) {
    return awaitStatus(name, s -> s.condition(Conditions.STALLED)
        .filter(c -> c.isTrue() && reason.equals(c.reason())).isPresent()
        && s.condition(Conditions.READY).filter(c -> "False".equals(c.status())).isPresent());
  }

  private static boolean isTrue(SlimImageStatus s, String type) {
    return s.condition(type).filter(Condition::isTrue).isPresent();
  }

  private static SlimImageSpec spec(String app, String base) {
    return new SlimImageSpec(new SlimImageSpec.App(app, null), new SlimImageSpec.Base(base, null), null, null, null, null, false);
  }

  private String scrape(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.metricsPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.body();
  }
}
