package dev.slim.config;

/** An environment variable with a value the operator cannot use; the message names the variable. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
