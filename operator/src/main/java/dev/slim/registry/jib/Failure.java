package dev.slim.registry.jib;

import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.api.RegistryAuthenticationFailedException;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.http.ResponseException;
import dev.slim.registry.RegistryException;
import dev.slim.registry.RegistryException.Kind;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * One failed registry call, read from jib's exceptions or ours: the HTTP status (or none), whether
 * a retry can help, and the message a user gets. Messages never include secrets: they are built
 * from the action and the status, and exception texts here carry URLs and socket errors only.
 *
 * @param status the HTTP status, or -1 when no response came back
 * @param retryAfter the registry's Retry-After, or null
 * @param noResponse true when the call failed on the network (refused, reset, timed out)
 * @param tls true when the TLS handshake failed (a plain-HTTP registry not listed as insecure)
 */
record Failure(int status, Duration retryAfter, boolean noResponse, boolean tls, Throwable cause) {

  /** Reads a failure out of an exception chain; the first HTTP status found wins. */
  static Failure of(Throwable error) {
    int status = -1;
    Duration retryAfter = null;
    boolean io = false;
    boolean tls = false;
    boolean authFailed = false;
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (status < 0 && t instanceof HttpStatusException h) {
        status = h.status();
        retryAfter = h.retryAfter();
      } else if (status < 0 && t instanceof ResponseException r) {
        status = r.getStatusCode();
        retryAfter = RetryAfter.parse(r.getHeaders() == null ? null : r.getHeaders().getRetryAfter(), Clock.systemUTC());
      }
      tls |= t instanceof SSLException || t instanceof InsecureRegistryException;
      authFailed |= t instanceof RegistryUnauthorizedException || t instanceof RegistryAuthenticationFailedException;
      io |= t instanceof IOException;
    }
    if (status < 0 && authFailed) {
      status = 401;
    }
    return new Failure(status, retryAfter, status < 0 && io && !tls, tls, error);
  }

  /** Connection errors, timeouts, 5xx and 429; never 401, 403 or 404. */
  boolean retryable() {
    return noResponse || status == 429 || status >= 500;
  }

  /** Retry-After counts only where the spec gives it meaning for a retry: 429 and 503. */
  Duration honouredRetryAfter() {
    return status == 429 || status == 503 ? retryAfter : null;
  }

  RegistryException toException(Action a, int attempts) {
    String r = a.registry();
    String image = a.image();
    if (status == 401) {
      return new RegistryException(Kind.UNAUTHORIZED, r, image, a.hasCredentials()
          ? "registry " + r + " refused credentials for " + image + " (401) while trying to " + a.verb()
              + ": check the auths entry for " + r + " in the Docker config or the registry Secret"
          : "registry " + r + " requires credentials for " + image + " (401) while trying to " + a.verb()
              + ": add an auths entry for " + r + " to the Docker config or the registry Secret", cause);
    }
    if (status == 403) {
      return new RegistryException(Kind.UNAUTHORIZED, r, image,
          "registry " + r + " denied access to " + image + " (403) while trying to " + a.verb()
              + ": the account in the auths entry for " + r + " needs permission on that repository", cause);
    }
    if (status == 404) {
      return new RegistryException(Kind.NOT_FOUND, r, image,
          "registry " + r + " has no " + image + " (404) while trying to " + a.verb()
              + ": check the repository, tag or digest", cause);
    }
    if (tls) {
      return new RegistryException(Kind.UNREACHABLE, r, image,
          "TLS with registry " + r + " failed while trying to " + a.verb() + " " + image + " (" + reason()
              + "): if " + r + " serves plain HTTP, list it as an insecure registry", cause);
    }
    if (noResponse) {
      return new RegistryException(Kind.UNREACHABLE, r, image,
          "registry " + r + " unreachable while trying to " + a.verb() + " " + image + " after "
              + attempts + " attempt(s) (" + reason() + "): check the host, port and network", cause);
    }
    if (status == 429 || status >= 500) {
      return new RegistryException(Kind.UNREACHABLE, r, image,
          "registry " + r + " answered " + status + " while trying to " + a.verb() + " " + image + " after "
              + attempts + " attempt(s): the registry is overloaded or failing, it will be retried later", cause,
          honouredRetryAfter());
    }
    return new RegistryException(Kind.REJECTED, r, image,
        "registry " + r + " rejected the request to " + a.verb() + " " + image
            + (status > 0 ? " (" + status + ")" : "") + ": " + reason(), cause);
  }

  /** The innermost exception's message: for network errors the useful part ("Connection refused"). */
  private String reason() {
    Throwable t = cause;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage();
    return message == null || message.isBlank() ? t.getClass().getSimpleName() : firstLine(message);
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }
}
