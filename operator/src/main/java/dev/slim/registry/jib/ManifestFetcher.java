package dev.slim.registry.jib;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.Manifest;
import dev.slim.registry.MediaTypes;
import dev.slim.registry.RegistryCredentials;
import dev.slim.registry.RegistryCredentials.Login;
import dev.slim.registry.RegistryException;
import dev.slim.registry.RegistryException.Kind;
import dev.slim.registry.RegistryOptions;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HEAD and GET of manifests over java.net.http. jib cannot do these: its manifest puller parses
 * the body into its own templates (dropping unknown fields, so the bytes and digest are lost) and
 * it has no HEAD. Speaks the same auth as jib: Basic, or a Bearer token from the registry's
 * token service, fetched on the first 401 and kept per repository.
 */
final class ManifestFetcher {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryCredentials credentials;
  private final RegistryOptions options;
  private final HttpClient http;
  private final Map<String, String> authorizationByRepository = new ConcurrentHashMap<>();

  ManifestFetcher(RegistryCredentials credentials, RegistryOptions options) {
    this.credentials = credentials;
    this.options = options;
    this.http = HttpClient.newBuilder()
        .connectTimeout(TIMEOUT)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
  }

  /** The digest the registry reports for a reference, or empty when it sends no Docker-Content-Digest. */
  Optional<Digest> head(ImageRef ref) throws IOException, InterruptedException {
    HttpResponse<byte[]> response = send(ref, "HEAD", "head_manifest");
    return response.headers().firstValue("Docker-Content-Digest").map(Digest::parse);
  }

  /** The manifest bytes exactly as served, checked against the digest the registry and the reference claim. */
  Manifest get(ImageRef ref) throws IOException, InterruptedException {
    HttpResponse<byte[]> response = send(ref, "GET", "get_manifest");
    byte[] bytes = response.body();
    Digest actual = Digest.of(bytes);
    Optional<String> claimed = response.headers().firstValue("Docker-Content-Digest");
    if (claimed.isPresent() && !claimed.get().equals(actual.value())
        || ref.digest() != null && !ref.digest().equals(actual)) {
      throw new RegistryException(Kind.REJECTED, ref.registry(), ref.toString(),
          "registry " + ref.registry() + " served manifest bytes for " + ref + " whose digest is " + actual
              + ", not " + (ref.digest() != null ? ref.digest() : claimed.get())
              + ": a proxy or the registry altered the manifest");
    }
    String type = response.headers().firstValue("Content-Type").map(t -> t.split(";")[0].trim()).orElse("");
    if (!MediaTypes.isIndex(type) && !MediaTypes.isImageManifest(type)) {
      return Manifest.of(bytes); // e.g. "application/json": trust the manifest's own mediaType
    }
    return Manifest.of(type, bytes);
  }

  private HttpResponse<byte[]> send(ImageRef ref, String method, String operation)
      throws IOException, InterruptedException {
    String key = ref.repositoryName();
    URI uri = URI.create(base(ref.registry()) + "/v2/" + ref.repository() + "/manifests/" + ref.reference());
    for (int round = 0; ; round++) {
      HttpRequest.Builder request = HttpRequest.newBuilder(uri)
          .timeout(TIMEOUT)
          .header("Accept", MediaTypes.ACCEPT_ALL)
          .method(method, HttpRequest.BodyPublishers.noBody());
      String authorization = authorizationByRepository.get(key);
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      HttpResponse<byte[]> response = observed(ref.registry(), operation, request.build());
      int status = response.statusCode();
      if (status == 401 && round == 0) {
        String fresh = authorize(ref, response.headers().firstValue("WWW-Authenticate").orElse(""));
        if (fresh != null && !fresh.equals(authorization)) {
          authorizationByRepository.put(key, fresh);
          continue;
        }
      }
      if (status >= 200 && status < 300) {
        return response;
      }
      throw statusException(response);
    }
  }

  /** The Authorization header value a 401 challenge asks for, or null when we have nothing to offer. */
  private String authorize(ImageRef ref, String challenge) throws IOException, InterruptedException {
    Optional<Login> login = credentials.forRegistry(ref.registry());
    String scheme = challenge.split(" ", 2)[0].toLowerCase();
    if (scheme.equals("basic")) {
      return login.map(ManifestFetcher::basic).orElse(null);
    }
    if (!scheme.equals("bearer")) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = CHALLENGE_PARAM.matcher(challenge);
    while (m.find()) {
      params.put(m.group(1).toLowerCase(), m.group(2));
    }
    String realm = params.get("realm");
    if (realm == null) {
      return null;
    }
    String scope = params.getOrDefault("scope", "repository:" + ref.repository() + ":pull");
    StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?')
        .append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
    if (params.containsKey("service")) {
      url.append("&service=").append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8));
    }
    URI tokenUri = URI.create(url.toString());
    HttpRequest.Builder request = HttpRequest.newBuilder(tokenUri).timeout(TIMEOUT).GET();
    // A password goes to the token service only over TLS, or where the user allowed plain HTTP.
    if (login.isPresent() && ("https".equals(tokenUri.getScheme()) || options.isInsecure(ref.registry()))) {
      request.header("Authorization", basic(login.get()));
    }
    HttpResponse<byte[]> response = observed(tokenUri.getAuthority(), "auth", request.build());
    if (response.statusCode() != 200) {
      throw statusException(response);
    }
    JsonNode body = JSON.readTree(response.body());
    String token = body.path("token").asText(body.path("access_token").asText(""));
    return token.isEmpty() ? null : "Bearer " + token;
  }

  private HttpResponse<byte[]> observed(String registry, String operation, HttpRequest request)
      throws IOException, InterruptedException {
    try {
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      options.observer().requested(registry, operation, Integer.toString(response.statusCode()));
      return response;
    } catch (IOException e) {
      options.observer().requested(registry, operation, "error");
      throw e;
    }
  }

  private static HttpStatusException statusException(HttpResponse<byte[]> response) {
    Duration retryAfter = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), Clock.systemUTC());
    String body = response.body() == null ? "" : new String(response.body(), StandardCharsets.UTF_8);
    return new HttpStatusException(response.statusCode(), retryAfter, body.length() > 300 ? body.substring(0, 300) : body.trim());
  }

  private String base(String registry) {
    return (options.isInsecure(registry) ? "http://" : "https://") + registry;
  }

  private static String basic(Login login) {
    String pair = login.username() + ":" + login.password();
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }
}
