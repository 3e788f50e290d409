package dev.slim.testing;

import dev.slim.registry.Digest;
import dev.slim.registry.MediaTypes;
import dev.slim.registry.RegistryCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Plain-HTTP calls to a test registry with java.net.http, independent of the code under test:
 * seeding blobs and manifests, and reading tags back for assertions. Sends Basic auth up front
 * (the test registries use htpasswd).
 */
final class RegistryHttp {

  private final String host;
  private final String authorization;
  private final HttpClient http = HttpClient.newHttpClient();

  RegistryHttp(String host, RegistryCredentials credentials) {
    this.host = host;
    this.authorization = credentials.forRegistry(host)
        .map(l -> "Basic " + Base64.getEncoder().encodeToString((l.username() + ":" + l.password()).getBytes(StandardCharsets.UTF_8)))
        .orElse(null);
  }

  String host() {
    return host;
  }

  boolean hasBlob(String repo, Digest digest) {
    return send(request("/v2/" + repo + "/blobs/" + digest).method("HEAD", HttpRequest.BodyPublishers.noBody())).statusCode() == 200;
  }

  byte[] getBlob(String repo, Digest digest) {
    return expect(200, send(request("/v2/" + repo + "/blobs/" + digest).GET()), "GET blob " + digest).body();
  }

  /** Uploads a blob unless present (POST + monolithic PUT). */
  void putBlob(String repo, byte[] content) {
    copyBlob(repo, Digest.of(content), null, () -> content);
  }

  /**
   * Makes a blob present in {@code repo}: nothing when it is there, else a mount from
   * {@code fromRepo} when given, else (or when the mount is refused) an upload of {@code content}.
   */
  void copyBlob(String repo, Digest digest, String fromRepo, java.util.function.Supplier<byte[]> content) {
    if (hasBlob(repo, digest)) {
      return;
    }
    String query = fromRepo == null ? "" : "?mount=" + digest + "&from=" + fromRepo;
    HttpResponse<byte[]> post = send(request("/v2/" + repo + "/blobs/uploads/" + query).POST(HttpRequest.BodyPublishers.noBody()));
    if (post.statusCode() == 201) {
      return; // mounted
    }
    expect(202, post, "POST upload to " + repo);
    String location = post.headers().firstValue("Location").orElseThrow();
    URI put = URI.create("http://" + host).resolve(location);
    String sep = put.getQuery() == null ? "?" : "&";
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(put + sep + "digest=" + digest))
        .header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(content.get()));
    expect(201, send(auth(b)), "PUT blob " + digest + " to " + repo);
  }

  void putManifest(String repo, String reference, String mediaType, byte[] bytes) {
    HttpRequest.Builder b = request("/v2/" + repo + "/manifests/" + reference)
        .header("Content-Type", mediaType)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
    expect(201, send(b), "PUT manifest " + repo + ":" + reference);
  }

  /** Status and body of a manifest GET (200 or 404 mostly). */
  HttpResponse<byte[]> getManifest(String repo, String reference) {
    return send(request("/v2/" + repo + "/manifests/" + reference).header("Accept", MediaTypes.ACCEPT_ALL).GET());
  }

  HttpResponse<byte[]> get(String path) {
    return send(request(path).GET());
  }

  private HttpRequest.Builder request(String path) {
    return auth(HttpRequest.newBuilder(URI.create("http://" + host + path)));
  }

  private HttpRequest.Builder auth(HttpRequest.Builder b) {
    return authorization == null ? b : b.header("Authorization", authorization);
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder b) {
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("registry " + host + " unreachable", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse<byte[]> expect(int status, HttpResponse<byte[]> r, String what) {
    if (r.statusCode() != status) {
      throw new IllegalStateException(what + ": expected " + status + ", got " + r.statusCode() + " "
          + new String(r.body(), StandardCharsets.UTF_8));
    }
    return r;
  }
}
