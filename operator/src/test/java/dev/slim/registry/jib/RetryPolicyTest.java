package dev.slim.registry.jib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slim.registry.RegistryException;
import java.net.ConnectException;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Backoff, Retry-After and what is (not) retried, without a network. */
class RetryPolicyTest {

  private final List<Duration> waits = new ArrayList<>();
  private final RetryPolicy policy = new RetryPolicy(4, Duration.ofSeconds(1), waits::add);
  private final Action action = new Action("r.example:5000", "r.example:5000/shop/app:1", "resolve", true);

  @Test
  void backsOffExponentiallyFrom200msUpToTheCap() {
    assertThat(policy.delay(1, null)).isEqualTo(Duration.ofMillis(200));
    assertThat(policy.delay(2, null)).isEqualTo(Duration.ofMillis(400));
    assertThat(policy.delay(3, null)).isEqualTo(Duration.ofMillis(800));
    assertThat(policy.delay(4, null)).isEqualTo(Duration.ofSeconds(1));
    assertThat(policy.delay(1, Duration.ofMinutes(5))).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void retriesConnectionErrorsUpToMaxAttempts() {
    int[] calls = {0};
    assertThatThrownBy(() -> policy.run(action, () -> {
      calls[0]++;
      throw new ConnectException("Connection refused");
    })).isInstanceOfSatisfying(RegistryException.class, e -> {
      assertThat(e.kind()).isEqualTo(RegistryException.Kind.UNREACHABLE);
      assertThat(e.getMessage()).contains("r.example:5000", "4 attempt", "Connection refused");
    });
    assertThat(calls[0]).isEqualTo(4);
    assertThat(waits).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
  }

  @Test
  void honoursRetryAfterOn429AndSucceeds() {
    int[] calls = {0};
    String result = policy.run(action, () -> {
      if (calls[0]++ == 0) {
        throw new HttpStatusException(429, Duration.ofMillis(700), "slow down");
      }
      return "ok";
    });
    assertThat(result).isEqualTo("ok");
    assertThat(waits).containsExactly(Duration.ofMillis(700));
  }

  @Test
  void ignoresRetryAfterOnOther5xx() {
    assertThatThrownBy(() -> policy.run(action, () -> {
      throw new HttpStatusException(500, Duration.ofMillis(700), "");
    })).isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.kind()).isEqualTo(RegistryException.Kind.UNREACHABLE));
    assertThat(waits).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
  }

  @Test
  void neverRetries401403404() {
    for (int status : new int[] {401, 403, 404, 400}) {
      int[] calls = {0};
      assertThatThrownBy(() -> policy.run(action, () -> {
        calls[0]++;
        throw new HttpStatusException(status, null, "");
      })).isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.kind()).isEqualTo(switch (status) {
        case 401, 403 -> RegistryException.Kind.UNAUTHORIZED;
        case 404 -> RegistryException.Kind.NOT_FOUND;
        default -> RegistryException.Kind.REJECTED;
      }));
      assertThat(calls[0]).isEqualTo(1);
    }
    assertThat(waits).isEmpty();
  }

  @Test
  void unauthorizedMessageSaysWhereTheCredentialsComeFrom() {
    RegistryException e = Failure.of(new HttpStatusException(401, null, "")).toException(action, 1);
    assertThat(e.getMessage()).isEqualTo("registry r.example:5000 refused credentials for r.example:5000/shop/app:1"
        + " (401) while trying to resolve: check the auths entry for r.example:5000 in the Docker config or the registry Secret");
  }

  @Test
  void parsesRetryAfterSecondsAndHttpDates() {
    Clock clock = Clock.fixed(Instant.parse("2015-10-21T07:28:00Z"), ZoneOffset.UTC);
    assertThat(RetryAfter.parse("3", clock)).isEqualTo(Duration.ofSeconds(3));
    assertThat(RetryAfter.parse("Wed, 21 Oct 2015 07:28:30 GMT", clock)).isEqualTo(Duration.ofSeconds(30));
    assertThat(RetryAfter.parse("Wed, 21 Oct 2015 07:27:00 GMT", clock)).isEqualTo(Duration.ZERO);
    assertThat(RetryAfter.parse("soon", clock)).isNull();
    assertThat(RetryAfter.parse(null, clock)).isNull();
  }

  @Test
  void namesOperationsFromMethodAndPath() throws Exception {
    assertThat(ObservedHttpClient.operation("GET", new URL("https://r/v2/"))).isEqualTo("auth");
    assertThat(ObservedHttpClient.operation("GET", new URL("https://auth.r/token?scope=x"))).isEqualTo("auth");
    assertThat(ObservedHttpClient.operation("HEAD", new URL("https://r/v2/a/b/blobs/sha256:1"))).isEqualTo("head_blob");
    assertThat(ObservedHttpClient.operation("GET", new URL("https://r/v2/a/blobs/sha256:1"))).isEqualTo("get_blob");
    assertThat(ObservedHttpClient.operation("POST", new URL("https://r/v2/a/blobs/uploads/?mount=sha256:1&from=b"))).isEqualTo("mount_blob");
    assertThat(ObservedHttpClient.operation("POST", new URL("https://r/v2/a/blobs/uploads/"))).isEqualTo("put_blob");
    assertThat(ObservedHttpClient.operation("PATCH", new URL("https://r/v2/a/blobs/uploads/u1"))).isEqualTo("put_blob");
    assertThat(ObservedHttpClient.operation("PUT", new URL("https://r/v2/a/manifests/1"))).isEqualTo("put_manifest");
  }
}
