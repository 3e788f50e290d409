package dev.slim.deploy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slim.testing.ControlPlane;
import dev.slim.testing.ProjectRoot;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The operator's identity exactly as deploy/ defines it, applied for real on the test control
 * plane: the CRD, Namespace, ServiceAccount, ClusterRoles, bindings and the leader-election Role.
 * Tests get a ServiceAccount token as a pod would, and can take one RBAC rule away for a while.
 */
final class DeployedRbac {

  static final String NAMESPACE = "slimimage-system";
  static final String SERVICE_ACCOUNT = "slimimage-operator";
  static final String USER = "system:serviceaccount:" + NAMESPACE + ":" + SERVICE_ACCOUNT;
  private static final Set<String> IDENTITY_KINDS = Set.of("CustomResourceDefinition", "Namespace", "ServiceAccount",
      "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
  private static final String MANAGER = "slimimage-tests";

  private final ControlPlane cluster;
  private final List<ObjectNode> objects;

  private DeployedRbac(ControlPlane cluster, List<ObjectNode> objects) {
    this.cluster = cluster;
    this.objects = objects;
  }

  /** Applies the identity objects of deploy/ (idempotent) and waits for the CRD. */
  static DeployedRbac apply(ControlPlane cluster) {
    List<ObjectNode> all = Kustomization.render(ProjectRoot.resolve("deploy"));
    List<ObjectNode> identity = all.stream().filter(o -> IDENTITY_KINDS.contains(o.path("kind").asText())).toList();
    DeployedRbac rbac = new DeployedRbac(cluster, identity);
    identity.stream().filter(o -> o.path("kind").asText().equals("Namespace")).forEach(rbac::put);
    identity.stream().filter(o -> !o.path("kind").asText().equals("Namespace")).forEach(rbac::put);
    cluster.admin().apiextensions().v1().customResourceDefinitions().withName("slimimages.slim.dev")
        .waitUntilCondition(DeployedRbac::established, 60, TimeUnit.SECONDS);
    return rbac;
  }

  String token() {
    return cluster.serviceAccountToken(NAMESPACE, SERVICE_ACCOUNT);
  }

  Path kubeconfig(Path file) {
    return cluster.kubeconfigWithToken(token(), file);
  }

  /** The rules of a Role or ClusterRole as deploy/ has them. */
  ArrayNode rules(String kind, String name) {
    return (ArrayNode) Kustomization.find(objects, kind, name).path("rules");
  }

  /**
   * Applies {@code kind/name} without rule {@code index} until the result is closed, and waits
   * until the API server's authorizer has seen it (a SubjectAccessReview of the removed verb).
   */
  AutoCloseable withoutRule(String kind, String name, int index) {
    ObjectNode role = Kustomization.find(objects, kind, name).deepCopy();
    ObjectNode removed = (ObjectNode) ((ArrayNode) role.get("rules")).remove(index);
    put(role);
    String namespace = role.path("metadata").path("namespace").asText(null);
    awaitAllowed(removed, namespace, false);
    return () -> {
      put(Kustomization.find(objects, kind, name));
      awaitAllowed(removed, namespace, true);
    };
  }

  /** Replaces a ClusterRoleBinding of deploy/ by RoleBindings in {@code namespaces} until closed. */
  AutoCloseable bindOnlyIn(String clusterRoleBinding, List<String> namespaces) {
    KubernetesClient admin = cluster.admin();
    ObjectNode crb = Kustomization.find(objects, "ClusterRoleBinding", clusterRoleBinding);
    admin.rbac().clusterRoleBindings().withName(clusterRoleBinding).delete();
    for (String ns : namespaces) {
      ObjectNode rb = crb.deepCopy();
      rb.put("kind", "RoleBinding");
      ((ObjectNode) rb.get("metadata")).put("namespace", ns);
      put(rb);
    }
    return () -> put(crb);
  }

  private void put(ObjectNode o) {
    KubernetesClient admin = cluster.admin();
    HasMetadata resource = admin.getKubernetesSerialization().unmarshal(o.toString(), HasMetadata.class);
    admin.resource(resource).fieldManager(MANAGER).forceConflicts().serverSideApply();
  }

  private void awaitAllowed(ObjectNode rule, String namespace, boolean allowed) {
    String group = rule.path("apiGroups").get(0).asText();
    String[] resourceAndSub = rule.path("resources").get(0).asText().split("/");
    String verb = rule.path("verbs").get(0).asText();
    Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> {
      SubjectAccessReview review = cluster.admin().authorization().v1().subjectAccessReview().create(new SubjectAccessReviewBuilder()
          .withNewSpec().withUser(USER).withGroups("system:serviceaccounts", "system:serviceaccounts:" + NAMESPACE, "system:authenticated")
          .withNewResourceAttributes().withGroup(group).withResource(resourceAndSub[0])
          .withSubresource(resourceAndSub.length > 1 ? resourceAndSub[1] : null)
          .withVerb(verb).withNamespace(namespace == null ? "default" : namespace).endResourceAttributes()
          .endSpec().build());
      return review.getStatus().getAllowed() == allowed;
    });
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream().anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
