package dev.slim.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.slim.api.v1alpha1.SlimImage;
import dev.slim.testing.ApiServer;
import dev.slim.testing.ProjectRoot;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every file under samples/ is accepted by the API server (schema-validated on the testbed). */
class SamplesIT {

  final ApiServer api = ApiServer.shared();
  final KubernetesClient client = api.client();

  @Test
  void everySampleIsAccepted() throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(ProjectRoot.resolve("samples"))) {
      files = walk.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(3);
    int slimImages = 0;
    long written = 0;
    for (Path file : files) {
      written += Files.readAllLines(file).stream().filter(l -> l.equals("kind: SlimImage")).count();
      List<HasMetadata> items;
      try (InputStream in = Files.newInputStream(file)) {
        items = client.load(in).items();
      }
      for (HasMetadata item : items) {
        HasMetadata applied = client.resource(item).createOr(r -> r.update());
        assertThat(applied.getMetadata().getUid()).as("%s %s in %s", item.getKind(), item.getMetadata().getName(), file).isNotBlank();
        if ("SlimImage".equals(item.getKind())) {
          slimImages++;
          SlimImage s = client.getKubernetesSerialization().convertValue(item, SlimImage.class);
          SlimImage read = client.resources(SlimImage.class).inNamespace(s.getMetadata().getNamespace())
              .withName(s.getMetadata().getName()).get();
          // The real API server fills in schema defaults (suspend, updatePolicy.mode, app.mode); the rest must survive as written.
          assertThat(read.getSpec()).as("round trip of %s", file)
              .usingRecursiveComparison().ignoringFields("suspend", "updatePolicy", "app.mode").isEqualTo(s.getSpec());
          assertThat(read.getSpec().updateMode()).isEqualTo(s.getSpec().updateMode());
          assertThat(read.getSpec().app().modeOrDefault()).isEqualTo(s.getSpec().app().modeOrDefault());
        }
      }
    }
    assertThat(slimImages).as("every SlimImage written in samples/ was applied").isEqualTo(written).isGreaterThanOrEqualTo(4);
  }

  /** Only a real API server validates against the schema; the mock accepts anything. */
  @Test
  void theSchemaRejectsWhatItCanExpress() {
    assumeFalse(api.isMock(), "the mock API server does not validate");
    String ns = api.newNamespace("schema");
    String ok = "registry.example.com/shop/orders:1";
    assertRejected(ns, "spec: {app: {image: " + ok + "}, base: {image: " + ok + ", pollInterval: 1s}}", "at least 10s");
    assertRejected(ns, "spec: {app: {image: " + ok + "}, base: {image: " + ok + ", pollInterval: soon}}", "pollInterval");
    assertRejected(ns, "spec: {app: {image: " + ok + "}, base: {image: " + ok + "}, updatePolicy: {mode: Sometimes}}", "mode");
    assertRejected(ns, "spec: {base: {image: " + ok + "}}", "app");
    assertRejected(ns, "spec: {app: {image: 'has spaces'}, base: {image: " + ok + "}}", "image");
    assertRejected(ns, "spec: {app: {image: " + ok + ", mode: Extract}, base: {image: " + ok + "}}", "mode Extract needs paths");
  }

  private void assertRejected(String ns, String specYaml, String mentions) {
    String yaml = "apiVersion: slim.dev/v1alpha1\nkind: SlimImage\nmetadata: {name: bad, namespace: " + ns + "}\n" + specYaml + "\n";
    assertThatThrownBy(() -> client.resource(yaml).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422))
        .hasMessageContaining(mentions);
  }
}
