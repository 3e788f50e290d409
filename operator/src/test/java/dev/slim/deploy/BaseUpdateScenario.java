package dev.slim.deploy;

import static org.awaitility.Awaitility.await;

import dev.slim.api.v1alpha1.SlimImage;
import dev.slim.api.v1alpha1.SlimImageSpec;
import dev.slim.api.v1alpha1.SlimImageStatus;
import dev.slim.testing.Layer;
import dev.slim.testing.PushedImage;
import dev.slim.testing.RegistryServer;
import dev.slim.testing.TestImages;
import dev.slim.testing.Workloads;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The base-update story the deploy tests drive an operator through, set up with admin rights:
 * an app on base v1 in a real registry, a Deployment and a CronJob running it, a registry Secret,
 * and a SlimImage "orders" following the base tag; then base v2 is published.
 */
final class BaseUpdateScenario {

  /** What operators under test need to reach the scenario's registry and poll it quickly. */
  static Map<String, String> operatorEnv(RegistryServer registry) {
    return Map.of(
        "SLIMIMAGE_INSECURE_REGISTRIES", registry.host() + ",127.0.0.1:1",
        "SLIMIMAGE_DEFAULT_POLL_INTERVAL", "1s",
        "SLIMIMAGE_MIN_POLL_INTERVAL", "1s",
        "SLIMIMAGE_MAX_REGISTRY_BACKOFF", "2s",
        "SLIMIMAGE_REGISTRY_MAX_ATTEMPTS", "2");
  }

  final String namespace;
  private final KubernetesClient admin;
  private final TestImages images;
  private final String prefix = "deploy-" + UUID.randomUUID().toString().substring(0, 6);
  private final Workloads workloads;
  PushedImage baseV1;
  PushedImage app;

  BaseUpdateScenario(KubernetesClient admin, RegistryServer registry, String namespacePrefix) {
    this.admin = admin;
    this.images = new TestImages(registry);
    this.namespace = namespacePrefix + "-" + UUID.randomUUID().toString().substring(0, 6);
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
    this.workloads = new Workloads(admin, namespace);
  }

  /** Base v1, the app on it, its workloads, the Secret and the SlimImage. */
  BaseUpdateScenario seed() {
    baseV1 = base("v1");
    app = images.on(baseV1).layer(Layer.of(Map.of("app/orders.txt", "orders 1.0\n")), "COPY app /app")
        .annotation("org.opencontainers.image.base.name", baseTag())
        .annotation("org.opencontainers.image.base.digest", baseV1.digest().value())
        .push(prefix + "/shop/orders:1.0");
    workloads.deployment("orders", Map.of("app", "orders"), app.ref().toString());
    workloads.cronJob("orders-report", app.ref().toString());
    // The registry has no login; the Secret is there so reading it is part of every reconcile.
    String dockerConfig = Base64.getEncoder().encodeToString("{\"auths\":{}}".getBytes(StandardCharsets.UTF_8));
    admin.secrets().inNamespace(namespace).resource(new SecretBuilder()
        .withNewMetadata().withName("regcred").withNamespace(namespace).endMetadata()
        .withType("kubernetes.io/dockerconfigjson").addToData(".dockerconfigjson", dockerConfig).build()).create();
    create("orders", new SlimImageSpec(new SlimImageSpec.App(app.ref().toString(), null),
        new SlimImageSpec.Base(baseTag(), null), null, List.of(new SlimImageSpec.SecretRef("regcred")), null, null, false));
    return this;
  }

  /** A SlimImage whose base registry refuses connections: registry errors and retried failures. */
  void addUnreachable() {
    create("unreachable", new SlimImageSpec(new SlimImageSpec.App(app.ref().toString(), null),
        new SlimImageSpec.Base("127.0.0.1:1/" + prefix + "/wolfi:latest", null), null, null, null, null, false));
  }

  /** A SlimImage whose app is not on the old base it names: a re-base that needs a human. */
  void addNotOnOldBase() {
    PushedImage other = images.image().layer(Layer.of(Map.of("etc/other", "other\n"))).push(prefix + "/other:1");
    create("not-on-old-base", new SlimImageSpec(new SlimImageSpec.App(app.ref().toString(), other.ref().toString()),
        new SlimImageSpec.Base(baseTag(), null), null, null, null, null, false));
  }

  /** Pushes a new base under the same tag. */
  PushedImage publishNewBase() {
    return base("v2-" + UUID.randomUUID());
  }

  SlimImage get(String name) {
    return admin.resources(SlimImage.class).inNamespace(namespace).withName(name).get();
  }

  SlimImage awaitStatus(String name, Duration atMost, Predicate<SlimImageStatus> done) {
    return await().atMost(atMost).pollInterval(Duration.ofMillis(250)).until(() -> get(name),
        r -> r != null && r.getStatus() != null && done.test(r.getStatus()));
  }

  String deploymentImage() {
    return workloads.deploymentImages("orders").get(0);
  }

  String cronJobImage() {
    return workloads.cronJobImage("orders-report");
  }

  /**
   * True when the SlimImage has seen {@code base}, its image sits on it, and the Deployment and
   * the CronJob run that image by digest.
   */
  boolean pinnedOn(PushedImage base) {
    SlimImage r = get("orders");
    if (r == null || r.getStatus() == null || r.getStatus().image() == null || r.getStatus().base() == null) {
      return false;
    }
    String ref = r.getStatus().image().ref();
    return base.digest().value().equals(r.getStatus().image().baseDigest())
        && ref != null && ref.contains("@sha256:")
        && ref.equals(deploymentImage()) && ref.equals(cronJobImage());
  }

  /** Waits for {@link #pinnedOn}; on timeout the error shows the SlimImage's status and the workloads' images. */
  void awaitPinnedOn(PushedImage base, Duration atMost) {
    try {
      await().atMost(atMost).pollInterval(Duration.ofMillis(250)).until(() -> pinnedOn(base));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("not pinned on base " + base.digest() + " within " + atMost + ": " + describe(), e);
    }
  }

  /** The SlimImage's status and the workloads' images, for failure messages. */
  String describe() {
    SlimImage r = get("orders");
    return "status=" + (r == null ? "(no SlimImage)" : admin.getKubernetesSerialization().asJson(r.getStatus()))
        + " deployment=" + deploymentImage() + " cronjob=" + cronJobImage();
  }

  private PushedImage base(String content) {
    return images.image().env("PATH=/usr/bin:/bin")
        .layer(Layer.of(Map.of("etc/os-release", "ID=wolfi\nVERSION=" + content + "\n")), "ADD rootfs /")
        .push(prefix + "/wolfi:latest");
  }

  private String baseTag() {
    return images.host() + "/" + prefix + "/wolfi:latest";
  }

  private void create(String name, SlimImageSpec spec) {
    SlimImage r = new SlimImage();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    r.setSpec(spec);
    admin.resources(SlimImage.class).inNamespace(namespace).resource(r).create();
  }
}
