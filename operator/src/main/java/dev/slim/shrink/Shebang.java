package dev.slim.shrink;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The {@code #!} line of a script: the interpreter the kernel runs, and the single argument it
 * passes (Linux passes everything after the interpreter as one argument).
 *
 * @param interpreter the interpreter path, e.g. {@code /bin/sh} or {@code /usr/bin/env}
 * @param argument what follows it on the line, or null
 */
public record Shebang(String interpreter, String argument) {

  public static Optional<Shebang> parse(byte[] head) {
    if (head.length < 3 || head[0] != '#' || head[1] != '!') {
      return Optional.empty();
    }
    int end = 2;
    while (end < head.length && head[end] != '\n') {
      end++;
    }
    String line = new String(head, 2, end - 2, StandardCharsets.UTF_8).strip();
    if (line.isEmpty()) {
      return Optional.empty();
    }
    String[] parts = line.split("[ \\t]+", 2);
    return Optional.of(new Shebang(parts[0], parts.length > 1 ? parts[1].strip() : null));
  }

  /**
   * The program {@code /usr/bin/env NAME} will look up on PATH, when this is such a line;
   * {@code env -S ...} and other options are not followed.
   */
  public Optional<String> envProgram() {
    if (!interpreter.endsWith("/env") || argument == null || argument.startsWith("-")) {
      return Optional.empty();
    }
    return Optional.of(argument.split("[ \\t]+")[0]);
  }
}
