package dev.slim.registry.jib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.slim.registry.BlobTransfer;
import dev.slim.registry.Descriptor;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.Manifest;
import dev.slim.registry.RegistryCredentials;
import dev.slim.registry.RegistryException;
import dev.slim.registry.RegistryOptions;
import dev.slim.testing.Layer;
import dev.slim.testing.PushedImage;
import dev.slim.testing.RegistryServer;
import dev.slim.testing.TestImages;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** JibImageRegistry against real Distribution registries (plain and htpasswd) and a scripted one. */
class JibImageRegistryIT {

  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final RegistryOptions.RequestObserver observer = (r, op, code) -> requests.add(op + " " + code);
  private JibImageRegistry registry;

  @AfterEach
  void close() {
    if (registry != null) {
      registry.close();
    }
  }

  private JibImageRegistry registryFor(RegistryServer server) {
    registry = new JibImageRegistry(server.credentials(), server.options().withObserver(observer));
    return registry;
  }

  private static String repo(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static RegistryServer server(boolean auth) {
    return auth ? RegistryServer.sharedWithAuth() : RegistryServer.shared();
  }

  private static PushedImage seed(TestImages images, String repoTag) {
    return images.image().platform("linux/amd64").env("PATH=/usr/bin")
        .layer(Layer.builder().dir("etc").file("etc/os-release", "ID=slim\n").executable("bin/hello", "#!/bin/sh\necho hi\n")
            .symlink("bin/hi", "hello").build(), "ADD rootfs /")
        .history("ENV PATH=/usr/bin", true)
        .annotation("org.opencontainers.image.title", "seed")
        .push(repoTag);
  }

  @ParameterizedTest(name = "auth={0}")
  @ValueSource(booleans = {false, true})
  void resolveByHeadEqualsTheDigestOfThePulledBytes(boolean auth) {
    RegistryServer server = server(auth);
    PushedImage image = seed(new TestImages(server), repo("shop/app") + ":1");
    JibImageRegistry reg = registryFor(server);

    Digest resolved = reg.resolve(image.ref());
    Manifest pulled = reg.pullManifest(image.ref());

    assertThat(resolved).isEqualTo(Digest.of(pulled.bytes())).isEqualTo(image.digest());
    assertThat(pulled.bytes()).isEqualTo(image.manifest());
    assertThat(pulled.mediaType()).isEqualTo(image.mediaType());
    assertThat(requests).contains("head_manifest 200", "get_manifest 200");
  }

  @ParameterizedTest(name = "auth={0}")
  @ValueSource(booleans = {false, true})
  void manifestWithUnknownFieldsIsPulledAndPushedByteIdentically(boolean auth) throws IOException {
    RegistryServer server = server(auth);
    TestImages images = new TestImages(server);
    String source = repo("shop/src");
    PushedImage image = seed(images, source + ":1");
    ObjectNode json = (ObjectNode) image.manifestJson();
    json.putObject("x-slim-unknown").putArray("nested").add(1).add("two");
    json.withObject("annotations").put("org.example/ünïcode", "ÿes");
    // Indented, with a trailing newline: any re-serialization would change these bytes.
    byte[] odd = (new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n")
        .getBytes(StandardCharsets.UTF_8);
    images.pushManifest(source + ":odd", Manifest.of(image.mediaType(), odd));
    JibImageRegistry reg = registryFor(server);

    ImageRef from = ImageRef.parse(server.host() + "/" + source + ":odd");
    Manifest pulled = reg.pullManifest(from);
    assertThat(pulled.bytes()).isEqualTo(odd);
    assertThat(reg.resolve(from)).isEqualTo(Digest.of(odd));

    ImageRef to = ImageRef.parse(server.host() + "/" + repo("shop/copy") + ":1");
    reg.copyBlob(from, to, new Descriptor(image.manifestJson().path("config").path("mediaType").asText(),
        Digest.of(image.config()), image.config().length));
    for (Descriptor layer : image.layers()) {
      reg.copyBlob(from, to, layer);
    }
    Digest pushed = reg.pushManifest(to, pulled);

    assertThat(pushed).isEqualTo(Digest.of(odd));
    assertThat(images.manifestBytes(to)).isEqualTo(odd);
    assertThat(reg.resolve(to)).isEqualTo(pushed);
    assertThat(requests).contains("put_manifest 201");

    Digest byDigest = reg.pushManifest(to.withTag(null), pulled);
    assertThat(byDigest).isEqualTo(pushed);
  }

  @ParameterizedTest(name = "auth={0}")
  @ValueSource(booleans = {false, true})
  void copyBlobWithinARegistryMountsThenFindsItPresent(boolean auth) {
    RegistryServer server = server(auth);
    PushedImage image = seed(new TestImages(server), repo("shop/base") + ":1");
    JibImageRegistry reg = registryFor(server);
    ImageRef target = ImageRef.parse(server.host() + "/" + repo("shop/app") + ":1");
    Descriptor layer = image.layers().get(0);

    assertThat(reg.copyBlob(image.ref(), target, layer)).isEqualTo(BlobTransfer.mounted());
    assertThat(requests).contains("head_blob 404", "mount_blob 201").noneMatch(r -> r.startsWith("put_blob") || r.startsWith("get_blob"));
    assertThat(reg.copyBlob(image.ref(), target, layer)).isEqualTo(BlobTransfer.existed());
    assertThat(new TestImages(server).blobExists(target.repository(), layer.digest())).isTrue();
  }

  @ParameterizedTest(name = "source auth={0}")
  @ValueSource(booleans = {false, true})
  void copyBlobAcrossRegistriesStreamsTheBytes(boolean auth) {
    RegistryServer source = server(auth);
    PushedImage image = seed(new TestImages(source), repo("shop/base") + ":1");
    try (RegistryServer other = RegistryServer.start(false)) {
      registry = new JibImageRegistry(source.credentials().merge(other.credentials()),
          RegistryOptions.defaults(Set.of(source.host(), other.host())).withObserver(observer));
      ImageRef target = ImageRef.parse(other.host() + "/" + repo("mirror/base") + ":1");
      Descriptor layer = image.layers().get(0);

      BlobTransfer transfer = registry.copyBlob(image.ref(), target, layer);

      assertThat(transfer).isEqualTo(BlobTransfer.uploaded(layer.size()));
      assertThat(requests).contains("get_blob 200").noneMatch(r -> r.startsWith("mount_blob"));
      assertThat(new TestImages(other).blobExists(target.repository(), layer.digest())).isTrue();
      assertThat(registry.copyBlob(image.ref(), target, layer)).isEqualTo(BlobTransfer.existed());

      Descriptor missing = new Descriptor(layer.mediaType(), Digest.of(new byte[] {7}), 1);
      assertThatThrownBy(() -> registry.copyBlob(image.ref(), target, missing))
          .isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.kind()).isEqualTo(RegistryException.Kind.NOT_FOUND);
            assertThat(e.registry()).isEqualTo(source.host());
            assertThat(e.getMessage()).contains(image.ref().repositoryName() + "@" + missing.digest());
          });
    }
  }

  @ParameterizedTest(name = "auth={0}")
  @ValueSource(booleans = {false, true})
  void pushBlobUploadsOnceAndPullsBack(boolean auth) {
    RegistryServer server = server(auth);
    JibImageRegistry reg = registryFor(server);
    ImageRef target = ImageRef.parse(server.host() + "/" + repo("shop/app") + ":1");
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":\"" + UUID.randomUUID() + "\"}").getBytes(StandardCharsets.UTF_8);

    assertThat(reg.pushBlob(target, config)).isEqualTo(BlobTransfer.uploaded(config.length));
    assertThat(reg.pushBlob(target, config)).isEqualTo(BlobTransfer.existed());
    assertThat(reg.pullBlob(target, Digest.of(config))).isEqualTo(config);
  }

  @Test
  void unknownTagIsNotFoundNamingTheImage() {
    RegistryServer server = RegistryServer.shared();
    String repo = repo("shop/app");
    seed(new TestImages(server), repo + ":1");
    JibImageRegistry reg = registryFor(server);
    ImageRef missing = ImageRef.parse(server.host() + "/" + repo + ":nope");

    assertThatThrownBy(() -> reg.resolve(missing))
        .isInstanceOfSatisfying(RegistryException.class, e -> {
          assertThat(e.kind()).isEqualTo(RegistryException.Kind.NOT_FOUND);
          assertThat(e.getMessage()).contains(missing.toString()).contains(server.host());
        });
    assertThatThrownBy(() -> reg.pullBlob(missing, Digest.of(new byte[] {1})))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.kind()).isEqualTo(RegistryException.Kind.NOT_FOUND));
    assertThat(requests).filteredOn(r -> r.startsWith("head_manifest")).containsExactly("head_manifest 404");
  }

  @Test
  void wrongPasswordIsUnauthorizedAndNotRetried() {
    RegistryServer server = RegistryServer.sharedWithAuth();
    PushedImage image = seed(new TestImages(server), repo("shop/app") + ":1");
    String password = "not-" + RegistryServer.PASSWORD;
    String config = "{\"auths\":{\"" + server.host() + "\":{\"username\":\"slim\",\"password\":\"" + password + "\"}}}";
    registry = new JibImageRegistry(RegistryCredentials.fromDockerConfig(config.getBytes(StandardCharsets.UTF_8), "test"),
        server.options().withObserver(observer));

    assertThatThrownBy(() -> registry.resolve(image.ref()))
        .isInstanceOfSatisfying(RegistryException.class, e -> {
          assertThat(e.kind()).isEqualTo(RegistryException.Kind.UNAUTHORIZED);
          assertThat(e.getMessage()).contains("refused credentials", server.host(), image.ref().toString())
              .doesNotContain(password);
        });
    // One anonymous try, one with the login: no retries although maxAttempts is 4.
    assertThat(requests).containsExactly("head_manifest 401", "head_manifest 401");

    requests.clear();
    assertThatThrownBy(() -> registry.pullBlob(image.ref(), image.layers().get(0).digest()))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.kind()).isEqualTo(RegistryException.Kind.UNAUTHORIZED));
    assertThat(requests).containsExactly("auth 401", "get_blob 401");
  }

  @Test
  void closedPortIsUnreachableAfterMaxAttempts() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String host = "127.0.0.1:" + port;
    registry = new JibImageRegistry(RegistryCredentials.anonymous(),
        new RegistryOptions(Set.of(host), 3, Duration.ofMillis(50), observer));
    ImageRef ref = ImageRef.parse(host + "/shop/app:1");

    long start = System.nanoTime();
    assertThatThrownBy(() -> registry.resolve(ref))
        .isInstanceOfSatisfying(RegistryException.class, e -> {
          assertThat(e.kind()).isEqualTo(RegistryException.Kind.UNREACHABLE);
          assertThat(e.retryable()).isTrue();
          assertThat(e.getMessage()).contains(host, "3 attempt");
        });
    assertThat(requests).containsExactly("head_manifest error", "head_manifest error", "head_manifest error");

    requests.clear();
    assertThatThrownBy(() -> registry.pullBlob(ref, Digest.of(new byte[] {1})))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.kind()).isEqualTo(RegistryException.Kind.UNREACHABLE));
    // jib's own retries are off: exactly one request per attempt.
    assertThat(requests).containsExactly("auth error", "auth error", "auth error");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void tooManyRequestsWaitsForRetryAfterThenSucceeds() throws IOException {
    Digest digest = Digest.of("{}".getBytes(StandardCharsets.UTF_8));
    AtomicInteger manifestCalls = new AtomicInteger();
    AtomicInteger blobCalls = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v2/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      int status;
      if (path.equals("/v2/")) {
        status = 200;
      } else if (path.contains("/manifests/")) {
        status = manifestCalls.getAndIncrement() == 0 ? 429 : 200;
        exchange.getResponseHeaders().set("Docker-Content-Digest", digest.value());
      } else {
        status = blobCalls.getAndIncrement() == 0 ? 503 : 200;
        exchange.getResponseHeaders().set("Content-Length", "2");
      }
      if (status != 200) {
        exchange.getResponseHeaders().set("Retry-After", "1");
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
    try {
      String host = "127.0.0.1:" + server.getAddress().getPort();
      registry = new JibImageRegistry(RegistryCredentials.anonymous(),
          new RegistryOptions(Set.of(host), 4, Duration.ofSeconds(5), observer));
      ImageRef ref = ImageRef.parse(host + "/shop/app:1");

      long start = System.nanoTime();
      assertThat(registry.resolve(ref)).isEqualTo(digest);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
      assertThat(requests).containsExactly("head_manifest 429", "head_manifest 200");

      requests.clear();
      start = System.nanoTime();
      assertThat(registry.pushBlob(ref, "{}".getBytes(StandardCharsets.UTF_8))).isEqualTo(BlobTransfer.existed());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
      assertThat(requests).filteredOn(r -> r.startsWith("head_blob")).containsExactly("head_blob 503", "head_blob 200");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void bearerTokenRegistryAuthenticatesOncePerRepositoryAndAccess() throws IOException {
    Digest digest = Digest.of("{}".getBytes(StandardCharsets.UTF_8));
    String basic = "Basic " + java.util.Base64.getEncoder().encodeToString("slim:pw".getBytes(StandardCharsets.UTF_8));
    List<String> scopes = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    String realm = "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    server.createContext("/token", exchange -> {
      String query = java.net.URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
      boolean ok = basic.equals(exchange.getRequestHeaders().getFirst("Authorization"));
      byte[] body = "{\"token\":\"tok\"}".getBytes(StandardCharsets.UTF_8);
      if (ok) {
        scopes.add(query.replaceAll(".*scope=([^&]*).*", "$1"));
      }
      exchange.sendResponseHeaders(ok ? 200 : 401, ok ? body.length : -1);
      if (ok) {
        exchange.getResponseBody().write(body);
      }
      exchange.close();
    });
    server.createContext("/v2/", exchange -> {
      if (!"Bearer tok".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().set("WWW-Authenticate",
            "Bearer realm=\"" + realm + "\",service=\"fake\",scope=\"repository:shop/app:pull\"");
        exchange.sendResponseHeaders(401, -1);
      } else {
        exchange.getResponseHeaders().set("Docker-Content-Digest", digest.value());
        exchange.getResponseHeaders().set("Content-Length", "2");
        exchange.sendResponseHeaders(200, -1);
      }
      exchange.close();
    });
    server.start();
    try {
      String host = "127.0.0.1:" + server.getAddress().getPort();
      String config = "{\"auths\":{\"" + host + "\":{\"username\":\"slim\",\"password\":\"pw\"}}}";
      registry = new JibImageRegistry(RegistryCredentials.fromDockerConfig(config.getBytes(StandardCharsets.UTF_8), "test"),
          new RegistryOptions(Set.of(host), 2, Duration.ofMillis(50), observer));
      ImageRef ref = ImageRef.parse(host + "/shop/app:1");

      assertThat(registry.resolve(ref)).isEqualTo(digest);
      assertThat(registry.resolve(ref)).isEqualTo(digest);
      assertThat(registry.pushBlob(ref, "{}".getBytes(StandardCharsets.UTF_8))).isEqualTo(BlobTransfer.existed());
      assertThat(registry.pushBlob(ref, "{}".getBytes(StandardCharsets.UTF_8))).isEqualTo(BlobTransfer.existed());

      // One token for manifest reads, one for jib's push client: not one per request.
      assertThat(scopes).containsExactly("repository:shop/app:pull", "repository:shop/app:pull,push");
      assertThat(requests).filteredOn(r -> r.startsWith("head_")).containsExactly(
          "head_manifest 401", "head_manifest 200", "head_manifest 200", "head_blob 200", "head_blob 200");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void appOnBaseFixtureSharesTheBaseLayers() {
    RegistryServer server = RegistryServer.shared();
    TestImages images = new TestImages(server);
    PushedImage base = seed(images, repo("base") + ":1");
    PushedImage app = images.on(base)
        .layer(Layer.of(Map.of("app/run", "echo app\n")), "COPY app /app")
        .entrypoint("/app/run").label("app", "yes")
        .push(repo("shop/app") + ":1");

    assertThat(app.diffIds()).hasSize(2).startsWith(base.diffIds().get(0));
    assertThat(app.layers().get(0)).isEqualTo(base.layers().get(0));
    assertThat(app.configJson().path("history")).hasSize(3);
    assertThat(images.blobExists(app.ref().repository(), base.layers().get(0).digest())).isTrue();
    PushedImage index = images.index(true).child(app).annotation("k", "v").push(app.ref().repository() + ":multi");
    assertThat(images.tags(app.ref().repository())).containsExactlyInAnyOrder("1", "multi");
    assertThat(images.manifestExists(index.pinned())).isTrue();
  }
}
