package dev.slim.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slim.testing.ProjectRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The install manifests promise a locked-down pod, least-privilege RBAC and a wired metrics path. */
class DeployManifestsTest {

  private static Path deploy;
  private static List<ObjectNode> objects;

  @BeforeAll
  static void render() {
    deploy = ProjectRoot.resolve("deploy");
    objects = Kustomization.render(deploy);
  }

  @Test
  void kustomizationListsEveryNumberedManifestInOrder() throws IOException {
    List<String> numbered;
    try (Stream<Path> files = Files.list(deploy)) {
      numbered = files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d\\d-.*\\.yaml")).sorted().toList();
    }
    List<String> listed = new ArrayList<>();
    Kustomization.read(deploy.resolve("kustomization.yaml")).get(0).path("resources").forEach(r -> listed.add(r.asText()));
    assertThat(listed).startsWith("../crds");
    assertThat(listed.subList(1, listed.size())).containsExactlyElementsOf(numbered);
  }

  @Test
  void everyManifestOpensWithAComment() throws IOException {
    try (Stream<Path> files = Files.list(deploy)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        assertThat(Files.readAllLines(f).get(0)).as(f.getFileName().toString()).startsWith("# ");
      }
    }
  }

  @Test
  void podRunsAsNonRootWithReadOnlyRootAndNoCapabilities() {
    JsonNode pod = deployment().path("spec").path("template").path("spec");
    assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.path("securityContext").path("runAsUser").asInt()).isEqualTo(65532);
    assertThat(pod.path("securityContext").path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
    JsonNode c = container();
    JsonNode sc = c.path("securityContext");
    assertThat(sc.path("allowPrivilegeEscalation").isBoolean() && !sc.path("allowPrivilegeEscalation").asBoolean()).isTrue();
    assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(sc.path("privileged").asBoolean(true)).isFalse();
    assertThat(sc.path("capabilities").path("drop").toString()).isEqualTo("[\"ALL\"]");
    assertThat(sc.path("capabilities").has("add")).isFalse();
    assertThat(sc.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
    // A read-only root needs a writable /tmp for the JVM.
    assertThat(c.path("volumeMounts").toString()).contains("\"mountPath\":\"/tmp\"");
  }

  @Test
  void containerHasRequestsLimitsAndProbesOnTheMetricsPort() {
    JsonNode c = container();
    for (String kind : List.of("requests", "limits")) {
      assertThat(c.path("resources").path(kind).has("cpu")).as(kind + ".cpu").isTrue();
      assertThat(c.path("resources").path(kind).has("memory")).as(kind + ".memory").isTrue();
    }
    assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
    assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
    assertThat(c.path("livenessProbe").path("httpGet").path("port").asText()).isEqualTo("metrics");
    assertThat(c.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo("metrics");
    JsonNode port = c.path("ports").get(0);
    assertThat(port.path("name").asText()).isEqualTo("metrics");
    assertThat(env(c, "SLIMIMAGE_METRICS_PORT")).isEqualTo(port.path("containerPort").asText());
  }

  @Test
  void leaderElectionIsOnWithTheLeaseInThePodsNamespace() {
    JsonNode c = container();
    assertThat(deployment().path("spec").path("replicas").asInt()).isGreaterThan(1);
    assertThat(env(c, "SLIMIMAGE_LEADER_ELECTION")).isEqualTo("true");
    JsonNode podNamespace = envVar(c, "POD_NAMESPACE");
    assertThat(podNamespace.path("valueFrom").path("fieldRef").path("fieldPath").asText()).isEqualTo("metadata.namespace");
  }

  @Test
  void rbacHasNoWildcardsAndEveryRuleSaysWhoNeedsIt() throws IOException {
    for (ObjectNode o : objects) {
      if (o.path("kind").asText().endsWith("Role")) {
        for (JsonNode rule : o.path("rules")) {
          assertThat(rule.toString()).as(o.path("metadata").path("name").asText()).doesNotContain("\"*\"");
        }
      }
    }
    for (String file : List.of("02-clusterroles.yaml", "04-leader-election.yaml")) {
      List<String> lines = Files.readAllLines(deploy.resolve(file));
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).trim().startsWith("- apiGroups:")) {
          assertThat(lines.get(i - 1).trim()).as(file + " line " + (i + 1) + " needs a comment naming its code path").startsWith("#");
        }
      }
    }
  }

  @Test
  void bindingsGrantTheRolesToTheOperatorsServiceAccount() {
    String namespace = Kustomization.find(objects, "ServiceAccount", "slimimage-operator").path("metadata").path("namespace").asText();
    for (ObjectNode o : objects) {
      if (o.path("kind").asText().endsWith("RoleBinding")) {
        JsonNode s = o.path("subjects").get(0);
        assertThat(s.path("name").asText()).isEqualTo("slimimage-operator");
        assertThat(s.path("namespace").asText()).isEqualTo(namespace);
        String roleKind = o.path("roleRef").path("kind").asText();
        Kustomization.find(objects, roleKind, o.path("roleRef").path("name").asText());
      }
    }
    assertThat(deployment().path("spec").path("template").path("spec").path("serviceAccountName").asText())
        .isEqualTo("slimimage-operator");
  }

  @Test
  void serviceAndServiceMonitorReachThePodsMetricsPort() {
    JsonNode podLabels = deployment().path("spec").path("template").path("metadata").path("labels");
    ObjectNode service = Kustomization.find(objects, "Service", "slimimage-operator-metrics");
    service.path("spec").path("selector").fields().forEachRemaining(e ->
        assertThat(podLabels.path(e.getKey()).asText()).as("pod label " + e.getKey()).isEqualTo(e.getValue().asText()));
    assertThat(service.path("spec").path("ports").get(0).path("targetPort").asText()).isEqualTo("metrics");
    ObjectNode monitor = Kustomization.find(objects, "ServiceMonitor", "slimimage-operator");
    monitor.path("spec").path("selector").path("matchLabels").fields().forEachRemaining(e ->
        assertThat(service.path("metadata").path("labels").path(e.getKey()).asText()).isEqualTo(e.getValue().asText()));
    JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
    assertThat(endpoint.path("port").asText()).isEqualTo(service.path("spec").path("ports").get(0).path("name").asText());
    assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
    assertThat(endpoint.path("honorLabels").asBoolean()).as("keeps the SlimImage namespace label").isTrue();
  }

  @Test
  void theCrdComesFromCrdsAndTheImageFromTheImagesEntry() {
    Kustomization.find(objects, "CustomResourceDefinition", "slimimages.slim.dev");
    assertThat(container().path("image").asText()).endsWith("/slimimage-operator:0.1.0-SNAPSHOT");
  }

  private static ObjectNode deployment() {
    return Kustomization.find(objects, "Deployment", "slimimage-operator");
  }

  private static JsonNode container() {
    return deployment().path("spec").path("template").path("spec").path("containers").get(0);
  }

  private static JsonNode envVar(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (name.equals(e.path("name").asText())) {
        return e;
      }
    }
    throw new AssertionError("no env " + name);
  }

  private static String env(JsonNode container, String name) {
    return envVar(container, name).path("value").asText();
  }
}
