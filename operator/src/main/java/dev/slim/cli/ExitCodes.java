package dev.slim.cli;

import dev.slim.config.ConfigException;
import dev.slim.rebase.RebaseException;
import dev.slim.registry.InvalidReferenceException;
import dev.slim.registry.RegistryException;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Maps failures to the exit codes CI pipelines branch on, printing one line that says what is
 * wrong. Exceptions are reported here and nowhere else, so each failure is printed once.
 */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int USAGE = 2;
  public static final int NOT_POSSIBLE = 3;
  public static final int REGISTRY = 4;

  private ExitCodes() {}

  /** picocli's execution exception handler. */
  public static int handle(Exception e, CommandLine cmd, ParseResult parsed) {
    int code = codeFor(e);
    if (code == OK) {
      return OK;
    }
    String prefix =
        switch (code) {
          case USAGE -> e instanceof ConfigException ? "invalid configuration" : "invalid input";
          case NOT_POSSIBLE -> e instanceof RebaseException r ? "not possible (" + r.reason() + ")" : "not possible";
          case REGISTRY -> "registry error";
          default -> "unexpected error";
        };
    cmd.getErr().println("error: " + prefix + ": " + e.getMessage());
    if (code > REGISTRY) {
      e.printStackTrace(cmd.getErr());
    }
    return code;
  }

  /** picocli's parameter exception handler: usage errors print the message and the usage. */
  public static int handleUsage(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    cmd.getErr().println("error: " + e.getMessage());
    cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for the options.");
    return USAGE;
  }

  static int codeFor(Exception e) {
    if (e instanceof InvalidReferenceException || e instanceof ConfigException || e instanceof CommandLine.ParameterException) {
      return USAGE;
    }
    if (e instanceof RebaseException) {
      return NOT_POSSIBLE;
    }
    if (e instanceof RegistryException) {
      return REGISTRY;
    }
    return 1;
  }
}
