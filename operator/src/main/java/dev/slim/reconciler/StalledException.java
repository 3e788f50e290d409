package dev.slim.reconciler;

import dev.slim.registry.RegistryException;

/**
 * Something only a human can fix (a bad reference, a missing Secret, an image that cannot be
 * re-based): reported as Stalled=True with a reason constant, and not retried in a loop.
 */
public class StalledException extends RuntimeException {

  /** Which part of the work stopped, so the matching condition goes False. */
  public enum Stage { BASE, REBASE }

  private final Stage stage;
  private final String reason;

  public StalledException(Stage stage, String reason, String message) {
    super(message, null, false, false);
    this.stage = stage;
    this.reason = reason;
  }

  public Stage stage() {
    return stage;
  }

  public String reason() {
    return reason;
  }

  /** A registry answer that retrying will not change: not found, unauthorized, rejected. */
  public static StalledException from(RegistryException e, Stage stage, String notFoundReason) {
    String reason = switch (e.kind()) {
      case NOT_FOUND -> notFoundReason;
      case UNAUTHORIZED -> dev.slim.api.v1alpha1.Conditions.REGISTRY_UNAUTHORIZED;
      default -> dev.slim.api.v1alpha1.Conditions.REGISTRY_REJECTED;
    };
    return new StalledException(stage, reason, e.getMessage());
  }
}
