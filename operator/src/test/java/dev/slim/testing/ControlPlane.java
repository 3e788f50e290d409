package dev.slim.testing;

import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real kube-apiserver + etcd + kube-controller-manager from {@code testbed/controlplane}, always
 * (unlike a mock, it enforces RBAC, runs server-side dry runs and serves Leases): one per JVM,
 * stopped by a shutdown hook, and the one {@link ApiServer} uses in testbed mode (the default). Gives an admin client and clients or kubeconfigs for ServiceAccount tokens
 * obtained through the TokenRequest API, as a pod would get them.
 */
public final class ControlPlane {

  private static final Pattern EXPORT = Pattern.compile("export KUBECONFIG=(\\S+)");
  private static ControlPlane shared;

  private final String url;
  /** The cluster CA, base64 as in a kubeconfig. */
  private final String caData;
  private final KubernetesClient admin;
  private final Path adminKubeconfig;

  private ControlPlane(String url, String caData, KubernetesClient admin) {
    this.url = url;
    this.caData = caData;
    this.admin = admin;
    try {
      this.adminKubeconfig = Files.createTempFile("controlplane-admin", ".kubeconfig");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Config c = admin.getConfiguration();
    kubeconfigWithToken(c.getOauthToken() != null ? c.getOauthToken() : c.getAutoOAuthToken(), adminKubeconfig);
  }

  public static synchronized ControlPlane shared() {
    if (shared == null) {
      shared = start();
    }
    return shared;
  }

  /** A client with the testbed's admin token (system:masters). */
  public KubernetesClient admin() {
    return admin;
  }

  public String url() {
    return url;
  }

  /** A fresh token of {@code namespace/serviceAccount}, valid for an hour (TokenRequest API). */
  public String serviceAccountToken(String namespace, String serviceAccount) {
    return admin.serviceAccounts().inNamespace(namespace).withName(serviceAccount)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus().getToken();
  }

  /** A client that authenticates with {@code token} only. */
  public KubernetesClient clientWithToken(String token) {
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl(url)
        .withCaCertData(caData)
        .withOauthToken(token)
        .withNamespace("default")
        .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** Writes a kubeconfig (mode 600) that authenticates with {@code token}, for a child process. */
  public Path kubeconfigWithToken(String token, Path file) {
    try {
      String yaml = """
          apiVersion: v1
          kind: Config
          clusters:
          - name: testbed
            cluster:
              server: %s
              certificate-authority-data: %s
          users:
          - name: token
            user:
              token: %s
          contexts:
          - name: testbed
            context: {cluster: testbed, user: token, namespace: default}
          current-context: testbed
          """.formatted(url, caData, token);
      Files.deleteIfExists(file);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A kubeconfig with the admin token (for kubectl). */
  public Path adminKubeconfig() {
    return adminKubeconfig;
  }

  /** The control plane an admin client (from a testbed kubeconfig: URL, CA data, token) talks to. */
  private static ControlPlane of(KubernetesClient admin) {
    Config c = admin.getConfiguration();
    String ca = c.getCaCertData();
    if (ca == null && c.getCaCertFile() != null) {
      try {
        ca = Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(c.getCaCertFile())));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new ControlPlane(c.getMasterUrl().replaceAll("/$", ""), ca, admin);
  }

  private static ControlPlane start() {
    Path root = ProjectRoot.get();
    Path dir;
    try {
      Files.createDirectories(root.resolve("operator/target"));
      dir = Files.createTempDirectory(root.resolve("operator/target"), "controlplane-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Matcher m = EXPORT.matcher(script(root, "up", dir));
    if (!m.find()) {
      throw new IllegalStateException("testbed/controlplane up printed no KUBECONFIG line");
    }
    try {
      KubernetesClient admin = new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(Files.readString(Path.of(m.group(1))))).build();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        admin.close();
        script(root, "down", dir);
      }, "stop-controlplane"));
      return of(admin);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String script(Path root, String verb, Path dir) {
    try {
      Path log = dir.resolve(verb + ".out");
      // A file, not a pipe: the processes the script leaves running would hold a pipe open.
      Process p = new ProcessBuilder(root.resolve("testbed/controlplane").toString(), verb, dir.toString())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      // The first run on a machine builds the control plane from Go modules (minutes).
      if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("testbed/controlplane " + verb + " failed:\n" + Files.readString(log));
      }
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
