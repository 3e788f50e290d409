package dev.slim.registry.jib;

import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.http.Request;
import com.google.cloud.tools.jib.http.Response;
import com.google.cloud.tools.jib.http.ResponseException;
import dev.slim.registry.RegistryOptions.RequestObserver;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URL;
import java.util.function.Predicate;

/**
 * jib's HTTP client under our rules: every request reported to the observer, plain HTTP straight
 * away for hosts listed as insecure (jib would try HTTPS first), and no retries of its own.
 */
final class ObservedHttpClient extends FailoverHttpClient {

  private final Predicate<String> plainHttpHost;
  private final RequestObserver observer;

  /**
   * @param plainHttpHost hosts (host or host:port) to reach over plain HTTP; when it matches
   *     nothing, the client is TLS-only (jib's HTTP/insecure-HTTPS failover stays off)
   */
  ObservedHttpClient(boolean allowPlainHttp, Predicate<String> plainHttpHost, RequestObserver observer) {
    // Credentials may cross plain HTTP only because the user listed the host as insecure.
    super(allowPlainHttp, allowPlainHttp, JibEvents::log);
    this.plainHttpHost = allowPlainHttp ? plainHttpHost : host -> false;
    this.observer = observer;
    disableJibRetries();
  }

  @Override
  public Response call(String httpMethod, URL url, Request request) throws IOException {
    URL target = plainHttpHost.test(url.getAuthority()) && "https".equals(url.getProtocol())
        ? new URL("http", url.getHost(), url.getPort(), url.getFile())
        : url;
    String operation = operation(httpMethod, target);
    try {
      Response response = super.call(httpMethod, target, request);
      observer.requested(target.getAuthority(), operation, Integer.toString(response.getStatusCode()));
      return response;
    } catch (ResponseException e) {
      observer.requested(target.getAuthority(), operation, Integer.toString(e.getStatusCode()));
      throw e;
    } catch (IOException | RuntimeException e) {
      observer.requested(target.getAuthority(), operation, "error");
      throw e;
    }
  }

  /** The operation names documented on {@link RequestObserver}, from method and path. */
  static String operation(String method, URL url) {
    String path = url.getPath();
    if (!path.startsWith("/v2/") || path.equals("/v2/")) {
      return "auth"; // the /v2/ probe for the auth method, or the token service
    }
    if (path.contains("/manifests/")) {
      return switch (method) {
        case "HEAD" -> "head_manifest";
        case "PUT" -> "put_manifest";
        default -> "get_manifest";
      };
    }
    if (path.contains("/blobs/uploads/")) {
      String query = url.getQuery();
      return "POST".equals(method) && query != null && query.contains("mount=") ? "mount_blob" : "put_blob";
    }
    return "HEAD".equals(method) ? "head_blob" : "get_blob";
  }

  /**
   * jib 0.28.1 retries every I/O error up to 10 times with its own backoff (about a minute for a
   * refused connection) and offers no public switch. {@link RetryPolicy} owns retries so that
   * {@code maxAttempts} means what it says; the pinned version has the field, and the registry IT
   * for an unreachable port fails if a jib upgrade removes it.
   */
  private void disableJibRetries() {
    try {
      Field enableRetry = FailoverHttpClient.class.getDeclaredField("enableRetry");
      enableRetry.setAccessible(true);
      enableRetry.setBoolean(this, false);
    } catch (ReflectiveOperationException | RuntimeException e) {
      JibEvents.log(com.google.cloud.tools.jib.api.LogEvent.warn(
          "cannot turn off jib's own I/O retries (" + e + "); connection errors will be retried more"));
    }
  }
}
