package dev.slim.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slim.testing.ControlPlane;
import dev.slim.testing.ProjectRoot;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl apply -k deploy/ --dry-run=server} against a real API server: through the Java
 * client always (server-side apply, strict field validation), and through kubectl where it is
 * installed. The namespace must exist first: a dry run persists nothing, so namespaced objects
 * of a first install would otherwise meet "namespace not found" (README.md says so).
 */
class DeployDryRunIT {

  private static final String MANAGER = "slimimage-deploy-dry-run";
  private static ControlPlane cluster;
  private static KubernetesClient admin;

  @BeforeAll
  static void prepare() throws Exception {
    cluster = ControlPlane.shared();
    admin = cluster.admin();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("slimimage-system").endMetadata().build())
        .createOr(r -> r.update());
    try (InputStream in = DeployDryRunIT.class.getResourceAsStream("/deploy/monitoring-crds.yaml")) {
      for (HasMetadata o : admin.load(in).items()) {
        admin.resource(o).createOr(r -> r.update());
        admin.apiextensions().v1().customResourceDefinitions().withName(o.getMetadata().getName())
            .waitUntilCondition(DeployDryRunIT::established, 30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void everyObjectOfDeployPassesAServerSideDryRun() {
    List<ObjectNode> objects = Kustomization.render(ProjectRoot.resolve("deploy"));
    assertThat(objects).hasSizeGreaterThanOrEqualTo(12);
    for (ObjectNode o : objects) {
      HasMetadata resource = toResource(o);
      HasMetadata answered = admin.resource(resource).dryRun().fieldValidation(Validation.STRICT)
          .fieldManager(MANAGER).forceConflicts().serverSideApply();
      assertThat(answered.getMetadata().getName()).isEqualTo(resource.getMetadata().getName());
    }
    // Nothing was stored: the CRD and the Deployment exist only in the dry run.
    assertThat(admin.apps().deployments().inNamespace("slimimage-system").withName("slimimage-operator").get()).isNull();
  }

  @Test
  void theDryRunWouldCatchAMistypedField() {
    ObjectNode deployment = Kustomization.find(Kustomization.render(ProjectRoot.resolve("deploy")), "Deployment", "slimimage-operator");
    ((ObjectNode) deployment.path("spec").path("template").path("spec").path("containers").get(0).path("securityContext"))
        .put("readOnlyRootFileSystem", true); // wrong case: a typo kubectl --validate=strict rejects
    assertThatThrownBy(() -> admin.resource(toResource(deployment)).dryRun().fieldValidation(Validation.STRICT)
        .fieldManager(MANAGER).forceConflicts().serverSideApply())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("readOnlyRootFileSystem");
  }

  @Test
  void kubectlApplyKustomizeDryRunServerSucceeds() throws Exception {
    Path kubectl = Path.of("/usr/bin/kubectl");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(kubectl), "kubectl is not installed");
    ProcessBuilder pb = new ProcessBuilder(kubectl.toString(), "apply", "-k", ProjectRoot.resolve("deploy").toString(),
        "--dry-run=server").redirectErrorStream(true);
    pb.environment().put("KUBECONFIG", cluster.adminKubeconfig().toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    System.out.println("kubectl apply -k deploy/ --dry-run=server:\n" + out);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("deployment.apps/slimimage-operator", "(server dry run)");
  }

  private static HasMetadata toResource(ObjectNode o) {
    return admin.getKubernetesSerialization().unmarshal(o.toString(), HasMetadata.class);
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream().anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
