package dev.slim.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Username/password pairs per registry host, read from a Docker config.json (the CLI) or a
 * {@code kubernetes.io/dockerconfigjson} Secret (the operator). Never prints a secret.
 */
public final class RegistryCredentials {

  /** One registry login. {@link #toString()} hides the password so it cannot reach a log. */
  public record Login(String username, String password) {
    @Override
    public String toString() {
      return "Login[" + username + ", password hidden]";
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RegistryCredentials NONE = new RegistryCredentials(Map.of());

  private final Map<String, Login> byHost;

  private RegistryCredentials(Map<String, Login> byHost) {
    this.byHost = Map.copyOf(byHost);
  }

  public static RegistryCredentials anonymous() {
    return NONE;
  }

  /**
   * Parses the {@code auths} section of a Docker config: each entry with {@code auth}
   * (base64 of user:password) or {@code username}/{@code password}.
   *
   * @param source names the file or Secret in error messages
   * @throws IllegalArgumentException naming the source and the entry when it is malformed
   */
  public static RegistryCredentials fromDockerConfig(byte[] json, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + " is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(source + " is not a JSON object");
    }
    JsonNode auths = root.path("auths");
    if (!auths.isObject()) {
      return NONE;
    }
    Map<String, Login> logins = new LinkedHashMap<>();
    for (var entry : auths.properties()) {
      JsonNode e = entry.getValue();
      String host = normalizeHost(entry.getKey());
      if (e.hasNonNull("auth") && !e.get("auth").asText().isEmpty()) {
        String decoded;
        try {
          decoded = new String(Base64.getDecoder().decode(e.get("auth").asText()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException bad) {
          throw new IllegalArgumentException(source + ": auths." + entry.getKey() + ".auth is not base64");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
          throw new IllegalArgumentException(
              source + ": auths." + entry.getKey() + ".auth must be base64 of USERNAME:PASSWORD");
        }
        logins.put(host, new Login(decoded.substring(0, colon), decoded.substring(colon + 1)));
      } else if (e.hasNonNull("username") && e.hasNonNull("password")) {
        logins.put(host, new Login(e.get("username").asText(), e.get("password").asText()));
      }
    }
    return new RegistryCredentials(logins);
  }

  /** Later sources win: a SlimImage's second Secret overrides its first for the same host. */
  public RegistryCredentials merge(RegistryCredentials other) {
    Map<String, Login> merged = new LinkedHashMap<>(byHost);
    merged.putAll(other.byHost);
    return new RegistryCredentials(merged);
  }

  public Optional<Login> forRegistry(String registry) {
    return Optional.ofNullable(byHost.get(normalizeHost(registry)));
  }

  public boolean isEmpty() {
    return byHost.isEmpty();
  }

  /** Accepts the key forms found in the wild: bare host, host:port, or a URL with a path. */
  static String normalizeHost(String key) {
    String host = key.trim();
    int scheme = host.indexOf("://");
    if (scheme >= 0) {
      host = host.substring(scheme + 3);
    }
    int slash = host.indexOf('/');
    if (slash >= 0) {
      host = host.substring(0, slash);
    }
    if (host.equals("docker.io") || host.equals("registry-1.docker.io")) {
      return "index.docker.io";
    }
    return host;
  }

  @Override
  public String toString() {
    return "RegistryCredentials" + byHost.keySet();
  }
}
