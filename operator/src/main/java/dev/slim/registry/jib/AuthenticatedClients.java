package dev.slim.registry.jib;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.registry.RegistryClient;
import dev.slim.registry.ImageRef;
import dev.slim.registry.RegistryCredentials;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One authenticated jib {@link RegistryClient} per registry, repository and access, so each
 * authenticates once per {@link JibImageRegistry}. A failed authentication is not cached: the
 * next attempt tries again.
 */
final class AuthenticatedClients {

  private final RegistryCredentials credentials;
  private final Function<String, FailoverHttpClient> httpClientForRegistry;
  private final Map<String, RegistryClient> clients = new ConcurrentHashMap<>();

  AuthenticatedClients(RegistryCredentials credentials, Function<String, FailoverHttpClient> httpClientForRegistry) {
    this.credentials = credentials;
    this.httpClientForRegistry = httpClientForRegistry;
  }

  RegistryClient pull(ImageRef repository) throws IOException, RegistryException {
    return get(repository, false, null);
  }

  /**
   * A client that may push to {@code repository}. With {@code mountFrom} (a repository on the same
   * registry) its token also grants pull on that repository, which a cross-repository mount needs.
   */
  RegistryClient push(ImageRef repository, String mountFrom) throws IOException, RegistryException {
    return get(repository, true, mountFrom);
  }

  boolean hasCredentials(String registry) {
    return credentials.forRegistry(registry).isPresent();
  }

  private RegistryClient get(ImageRef ref, boolean push, String mountFrom) throws IOException, RegistryException {
    String key = ref.repositoryName() + (push ? " push " + mountFrom : " pull");
    RegistryClient cached = clients.get(key);
    if (cached != null) {
      return cached;
    }
    FailoverHttpClient http = httpClientForRegistry.apply(ref.registry());
    RegistryClient.Factory factory = mountFrom == null
        ? RegistryClient.factory(JibEvents.HANDLERS, ref.registry(), ref.repository(), http)
        : RegistryClient.factory(JibEvents.HANDLERS, ref.registry(), ref.repository(), mountFrom, http);
    Credential credential = credentials.forRegistry(ref.registry())
        .map(login -> Credential.from(login.username(), login.password()))
        .orElse(null);
    RegistryClient client = factory.setCredential(credential).setUserAgent("slimimage").newRegistryClient();
    // jib probes /v2/: a Bearer challenge gets a token for this repository and access; a Basic
    // challenge (or none) means sending the login with every request.
    boolean bearer = push ? client.doPushBearerAuth() : client.doPullBearerAuth();
    if (!bearer && credential != null) {
      client.configureBasicAuth();
    }
    RegistryClient raced = clients.putIfAbsent(key, client);
    return raced != null ? raced : client;
  }
}
