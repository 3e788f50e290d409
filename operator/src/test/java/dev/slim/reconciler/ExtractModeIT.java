package dev.slim.reconciler;

import dev.slim.rebase.PackageDatabaseCheck;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import dev.slim.api.v1alpha1.Condition;
import dev.slim.api.v1alpha1.Conditions;
import dev.slim.api.v1alpha1.SlimImage;
import dev.slim.api.v1alpha1.SlimImageSpec;
import dev.slim.api.v1alpha1.SlimImageStatus;
import dev.slim.config.OperatorConfig;
import dev.slim.metrics.SlimImageMetrics;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.jib.JibImageRegistry;
import dev.slim.registry.jib.JibLayeredImageBuilder;
import dev.slim.shrink.ShrinkException;
import dev.slim.testing.Layer;
import dev.slim.testing.MutableClock;
import dev.slim.testing.PushedImage;
import dev.slim.testing.RegistryServer;
import dev.slim.testing.TestImages;
import dev.slim.testing.Workloads;
import dev.slim.watch.BaseWatcher;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Extract mode through the reconciler: a SlimImage with {@code spec.app.mode: Extract} against a
 * real registry and jib, the fabric8 mock API server for workloads and Events. A new slim base
 * digest re-runs the shrink; a base without the script's interpreter stalls with the reason.
 */
@EnableKubernetesMockClient(crud = true)
class ExtractModeIT {

  static final String NS = "billing";

  KubernetesMockServer server;
  KubernetesClient client;

  final MutableClock clock = MutableClock.at("2025-01-01T00:00:00Z");
  final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final SlimImageMetrics metrics = new SlimImageMetrics(meters, clock);
  final OperatorConfig config = OperatorConfig.fromEnv(Map.of());
  @SuppressWarnings("unchecked")
  final Context<SlimImage> context = mock(Context.class);

  RegistryServer registry;
  TestImages images;
  String host;
  SlimImageReconciler reconciler;
  BaseWatcher<ResourceID> watcher;
  byte[] shell;

  @BeforeEach
  void setUp() throws IOException {
    registry = RegistryServer.shared();
    images = new TestImages(registry);
    host = registry.host();
    shell = Files.readAllBytes(Path.of("/bin/dash"));
    EventRecorder events = new EventRecorder(client, clock);
    watcher = new BaseWatcher<>(c -> open(), clock, Runnable::run, Duration.ofMinutes(5));
    reconciler = new SlimImageReconciler(new SlimImageParts(config, watcher, new SecretCredentials(client),
        new ImagePublisher(c -> open(), c -> new JibLayeredImageBuilder(registry.credentials(), registry.options()),
            new PackageDatabaseCheck(PackageDatabaseCheck.Policy.WARN), metrics, events, clock),
        new WorkloadPatcher(client, metrics), events, new StatusFactory(clock), metrics, clock), List.of());
  }

  @Test
  void extractShrinksReportsSavingsAndReRunsOnANewBaseDigest() {
    PushedImage fat = fatBase("op/debian:12");
    images.on(fat).layer(Layer.builder().dir("app").executable("app/run.sh", "#!/bin/sh\nexec echo hi\n").build(), "COPY app /app")
        .entrypoint("/app/run.sh").push("op/invoices:3.2.0");
    slim("op/slim:latest", "1", true);
    new Workloads(client, NS).deployment("invoices", Map.of("app", "invoices"), host + "/op/invoices:3.2.0");

    SlimImage r = reconcile(slimImage("invoices", extract("op/invoices:3.2.0", "op/slim:latest", "op/debian:12")));

    SlimImageStatus s = r.getStatus();
    assertThat(s.condition(Conditions.READY).orElseThrow()).extracting(Condition::status).isEqualTo("True");
    assertThat(s.image().savings().original().packages()).isEqualTo(40);
    assertThat(s.image().savings().slim().packages()).isEqualTo(1);
    assertThat(s.image().savings().packagesRemovedCount()).isEqualTo(39);
    assertThat(s.image().savings().packagesRemoved()).hasSize(SlimImageStatus.Savings.MAX_NAMES);
    assertThat(s.image().savings().slim().compressedBytes()).isLessThan(s.image().savings().original().compressedBytes());
    assertThat(new Workloads(client, NS).deploymentImages("invoices")).containsExactly(s.image().ref());
    String scrape = meters.scrape();
    assertThat(scrape).contains("slimimage_os_packages{name=\"invoices\",namespace=\"billing\",stage=\"original\"} 40.0")
        .contains("slimimage_os_packages{name=\"invoices\",namespace=\"billing\",stage=\"slim\"} 1.0")
        .contains("slimimage_image_size_bytes{name=\"invoices\",namespace=\"billing\",stage=\"slim\"}");

    PushedImage v2 = slim("op/slim:latest", "2", true);
    clock.advance(Duration.ofMinutes(10));
    watcher.tick(); // the poll that finds the new digest and triggers a reconcile
    SlimImage again = reconcile(r);
    assertThat(again.getStatus().image().baseDigest()).isEqualTo(v2.digest().value());
    assertThat(again.getStatus().image().digest()).isNotEqualTo(s.image().digest());
    assertThat(again.getStatus().lastRebase().bytesUploaded()).as("the app layer is already in the target").isLessThan(4096);
  }

  @Test
  void aBaseWithoutTheScriptsInterpreterStallsWithTheReason() {
    PushedImage fat = fatBase("op2/debian:12");
    images.on(fat).layer(Layer.builder().dir("app").executable("app/run.sh", "#!/bin/sh\n").build(), "COPY app /app")
        .entrypoint("/app/run.sh").push("op2/app:1");
    slim("op2/distroless:latest", "1", false);

    SlimImage r = reconcile(slimImage("app", extract("op2/app:1", "op2/distroless:latest", null)));

    Condition stalled = r.getStatus().condition(Conditions.STALLED).orElseThrow();
    assertThat(stalled.status()).isEqualTo("True");
    assertThat(stalled.reason()).isEqualTo(ShrinkException.INTERPRETER_MISSING);
    assertThat(stalled.message()).contains("/bin/sh");
    assertThat(images.tags("op2/app").stream().filter(t -> t.contains("slim"))).isEmpty();
  }

  private ImageRegistry open() {
    return new JibImageRegistry(registry.credentials(), registry.options());
  }

  private SlimImage reconcile(SlimImage r) {
    return reconciler.reconcile(r, context).getResource().orElse(r);
  }

  private PushedImage fatBase(String repoTag) {
    StringBuilder status = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      status.append("Package: ").append(i == 0 ? "libc6" : "pkg-" + i).append("\nStatus: install ok installed\n\n");
    }
    return images.image().env("LANG=C.UTF-8").layer(Layer.builder().dir("bin").file("bin/sh", shell, 0755)
        .dir("lib64").file("lib64/ld-linux-x86-64.so.2", new byte[] {1}, 0755)
        .file("var/lib/dpkg/status", status.toString()).file("usr/share/doc/big", "x".repeat(200_000)).build(), "ADD debian /")
        .push(repoTag);
  }

  private PushedImage slim(String repoTag, String version, boolean withShell) {
    Layer.Builder rootfs = Layer.builder();
    if (withShell) {
      rootfs.dir("bin").file("bin/sh", shell, 0755);
    }
    rootfs.dir("lib64").file("lib64/ld-linux-x86-64.so.2", new byte[] {1}, 0755)
        .file("var/lib/dpkg/status.d/libc6", "Package: libc6\nVersion: " + version + "\n");
    return images.image().env("SLIM=" + version).layer(rootfs.build(), "ADD slim /").push(repoTag);
  }

  private SlimImageSpec extract(String app, String base, String fatBase) {
    return new SlimImageSpec(
        new SlimImageSpec.App(host + "/" + app, fatBase == null ? null : host + "/" + fatBase, SlimImageSpec.App.Mode.Extract,
            List.of("/app"), Map.of("JAVA_TOOL_OPTIONS", "-Xss1m"), null),
        new SlimImageSpec.Base(host + "/" + base, null), null, null, null, null, false);
  }

  static SlimImage slimImage(String name, SlimImageSpec spec) {
    SlimImage r = new SlimImage();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).withGeneration(1L).withUid("uid-" + name).build());
    r.setSpec(spec);
    return r;
  }
}
