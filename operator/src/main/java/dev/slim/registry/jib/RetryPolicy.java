package dev.slim.registry.jib;

import dev.slim.registry.RegistryException;
import dev.slim.registry.RegistryException.Kind;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one registry call up to {@code maxAttempts} times: exponential backoff from 200 ms capped
 * at {@code maxBackoff}, a registry's Retry-After (also capped) on 429 and 503, and no retry for
 * what a retry cannot fix (401, 403, 404, other 4xx). The final failure becomes a
 * {@link RegistryException}.
 */
final class RetryPolicy {

  /** A registry call; any exception it throws is classified by {@link Failure#of}. */
  @FunctionalInterface
  interface Call<T> {
    T run() throws Exception;
  }

  /** Waits between attempts; a seam so unit tests need not sleep. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private static final Logger LOG = LoggerFactory.getLogger(RetryPolicy.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

  private final int maxAttempts;
  private final Duration maxBackoff;
  private final Sleeper sleeper;

  RetryPolicy(int maxAttempts, Duration maxBackoff, Sleeper sleeper) {
    this.maxAttempts = maxAttempts;
    this.maxBackoff = maxBackoff;
    this.sleeper = sleeper;
  }

  <T> T run(Action action, Call<T> call) {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.run();
      } catch (RegistryException e) {
        throw e; // already classified below us, e.g. a digest mismatch
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryException(Kind.UNREACHABLE, action.registry(), action.image(),
            "interrupted while trying to " + action.verb() + " " + action.image(), e);
      } catch (Exception e) {
        Failure failure = Failure.of(e);
        if (!failure.retryable() || attempt >= maxAttempts) {
          throw failure.toException(action, attempt);
        }
        Duration wait = delay(attempt, failure.honouredRetryAfter());
        LOG.debug("{} {} failed on attempt {} of {} (status {}), retrying in {} ms",
            action.verb(), action.image(), attempt, maxAttempts, failure.status(), wait.toMillis());
        sleep(action, wait);
      }
    }
  }

  /** The wait before attempt {@code failedAttempt + 1}. */
  Duration delay(int failedAttempt, Duration retryAfter) {
    Duration wait = retryAfter != null
        ? retryAfter
        : FIRST_BACKOFF.multipliedBy(1L << Math.min(failedAttempt - 1, 20));
    return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
  }

  private void sleep(Action action, Duration wait) {
    try {
      sleeper.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(Kind.UNREACHABLE, action.registry(), action.image(),
          "interrupted while waiting to retry " + action.verb() + " " + action.image(), e);
    }
  }
}
