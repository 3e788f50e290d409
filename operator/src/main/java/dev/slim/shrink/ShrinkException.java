package dev.slim.shrink;

import dev.slim.rebase.RebaseException;

/**
 * A shrink that cannot or must not be done with these inputs. It is a {@link RebaseException}
 * so that every caller already treating those as "needs a human" (exit code 3 in the CLI,
 * Stalled in the operator) handles shrinks the same way; the reason is a stable constant.
 */
public class ShrinkException extends RebaseException {

  /** A path given in spec.app.paths / --path is not in the app image. */
  public static final String PATH_NOT_FOUND = "PathNotFound";
  /** The entrypoint's executable is not in the result, or is not an executable file. */
  public static final String ENTRYPOINT_MISSING = "EntrypointMissing";
  /** The entrypoint exists but the interpreter it needs (ELF PT_INTERP or #!) does not. */
  public static final String INTERPRETER_MISSING = "InterpreterMissing";
  /** A layer uses a compression or entry this engine cannot read (zstd, a broken hard link). */
  public static final String UNSUPPORTED_LAYER = "UnsupportedLayer";

  public ShrinkException(String reason, String message) {
    super(reason, message);
  }
}
