package dev.slim.registry;

/** An image reference, digest or platform string that cannot be parsed; always a user error. */
public class InvalidReferenceException extends IllegalArgumentException {
  public InvalidReferenceException(String message) {
    super(message);
  }
}
