package dev.slim.registry.jib;

import java.io.IOException;
import java.time.Duration;

/** A non-2xx answer to one of our own java.net.http requests, carrying what the retry policy needs. */
final class HttpStatusException extends IOException {

  private final int status;
  private final transient Duration retryAfter;

  HttpStatusException(int status, Duration retryAfter, String detail) {
    super("HTTP " + status + (detail == null || detail.isBlank() ? "" : ": " + detail));
    this.status = status;
    this.retryAfter = retryAfter;
  }

  int status() {
    return status;
  }

  /** The registry's Retry-After, or null when it sent none. */
  Duration retryAfter() {
    return retryAfter;
  }
}
