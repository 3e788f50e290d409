package dev.slim.testing;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The Kubernetes API for integration tests, chosen by system property or environment variable
 * {@code SLIMIMAGE_IT_APISERVER}: {@code testbed} (the default: a real kube-apiserver and etcd
 * from {@code testbed/controlplane up DIR}) or {@code mock} (fabric8's mock server in CRUD mode:
 * fast for a quick local loop, but no schema validation, no RBAC, no server-side apply). Either way the CRD from {@code crds/} is
 * installed, so the same test runs against both. One instance per JVM; a shutdown hook stops it.
 */
public final class ApiServer {

  public static final String MODE = "SLIMIMAGE_IT_APISERVER";
  /** The user the operator runs as when it must not patch workloads. */
  public static final String DENIED_USER = "slimimage-it-no-patch";
  private static ApiServer shared;

  private final String mode;
  private final KubernetesClient client;
  private final KubernetesMockServer mock;

  private ApiServer(String mode, KubernetesClient client, KubernetesMockServer mock) {
    this.mode = mode;
    this.client = client;
    this.mock = mock;
  }

  /** The per-JVM API server of the selected mode, with the SlimImage CRD installed. */
  public static synchronized ApiServer shared() {
    if (shared == null) {
      String mode = System.getProperty(MODE, System.getenv().getOrDefault(MODE, "testbed"));
      shared = switch (mode) {
        case "mock" -> startMock();
        case "testbed" -> startTestbed();
        default -> throw new IllegalArgumentException(MODE + "=" + mode + ": expected mock or testbed");
      };
      shared.installCrds();
    }
    return shared;
  }

  public String mode() {
    return mode;
  }

  public boolean isMock() {
    return mock != null;
  }

  /** An admin client. */
  public KubernetesClient client() {
    return client;
  }

  /** The mock server for expectations (e.g. a 403); empty on a real API server. */
  public java.util.Optional<KubernetesMockServer> mockServer() {
    return java.util.Optional.ofNullable(mock);
  }

  /**
   * A client for the operator that may do everything it needs except patch Deployments named
   * {@code names} in {@code namespace}: on a real API server through RBAC and impersonation (the
   * operator's user is granted read access but no patch), on the mock through 403 expectations.
   */
  public KubernetesClient clientDeniedPatch(String namespace, String... names) {
    if (mock != null) {
      for (String name : names) {
        mock.expect().patch().withPath("/apis/apps/v1/namespaces/" + namespace + "/deployments/" + name)
            .andReturn(403, new io.fabric8.kubernetes.api.model.StatusBuilder().withStatus("Failure").withCode(403)
                .withReason("Forbidden").withMessage("deployments.apps \"" + name + "\" is forbidden: User \"" + DENIED_USER
                    + "\" cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"" + namespace + "\"")
                .build())
            .always();
      }
      return client;
    }
    client.rbac().clusterRoles().resource(new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder()
        .withNewMetadata().withName(DENIED_USER).endMetadata()
        .addNewRule().withApiGroups("slim.dev").withResources("slimimages", "slimimages/status")
            .withVerbs("get", "list", "watch", "patch", "update").endRule()
        .addNewRule().withApiGroups("").withResources("events").withVerbs("create", "patch").endRule()
        .addNewRule().withApiGroups("").withResources("secrets").withVerbs("get").endRule()
        .addNewRule().withApiGroups("apps").withResources("deployments", "statefulsets", "daemonsets")
            .withVerbs("get", "list", "watch").endRule()
        .addNewRule().withApiGroups("batch").withResources("cronjobs").withVerbs("get", "list", "watch").endRule()
        .build()).createOr(r -> r.update());
    client.rbac().clusterRoleBindings().resource(new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder()
        .withNewMetadata().withName(DENIED_USER).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", DENIED_USER)
        .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName(DENIED_USER).endSubject()
        .build()).createOr(r -> r.update());
    Config impersonating = new io.fabric8.kubernetes.client.ConfigBuilder(client.getConfiguration())
        .withImpersonateUsername(DENIED_USER).build();
    return new KubernetesClientBuilder().withConfig(impersonating).build();
  }

  /** Creates a namespace with a unique name, so tests sharing the server do not meet. */
  public String newNamespace(String prefix) {
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    return name;
  }

  /** Applies every CRD file in crds/ and waits until the API server serves it. */
  private void installCrds() {
    try (var files = Files.list(ProjectRoot.resolve("crds"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")).sorted().toList()) {
        CustomResourceDefinition crd;
        try (InputStream in = Files.newInputStream(file)) {
          crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        }
        client.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(r -> r.update());
        if (!isMock()) {
          client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
              .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions() != null
                  && c.getStatus().getConditions().stream()
                      .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())), 30, TimeUnit.SECONDS);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ApiServer startMock() {
    // Mixed: CRUD storage plus expectations, which is how a test makes the mock answer 403.
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
        new KubernetesMixedDispatcher(responses), false);
    server.init();
    KubernetesClient client = server.createClient();
    ApiServer api = new ApiServer("mock", client, server);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      client.close();
      server.destroy();
    }, "stop-mock-apiserver"));
    return api;
  }

  /** The shared testbed control plane, used through its admin client. */
  private static ApiServer startTestbed() {
    return new ApiServer("testbed", ControlPlane.shared().admin(), null);
  }
}
