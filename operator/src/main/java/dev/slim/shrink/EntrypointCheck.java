package dev.slim.shrink;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks that a shrunk image can start: the program its Entrypoint (or Cmd) names exists and is
 * executable, and so does everything the kernel needs to run it: the ELF interpreter of a
 * dynamically linked binary and the interpreter of a {@code #!} script, followed to the end.
 *
 * <p>Run before anything is pushed: a slim base without a shell or with another libc is the
 * usual way a shrink produces an image that cannot start.
 */
public final class EntrypointCheck {

  /** One reason the image would not start, with a {@link ShrinkException} reason constant. */
  public record Problem(String reason, String message) {}

  /** containerd's PATH when an image sets none. */
  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /** Interpreters of interpreters: a script run by a script run by a dynamic binary is plenty. */
  private static final int MAX_DEPTH = 4;

  private final FileTree image;
  private final String[] path;
  private final String workingDir;

  /**
   * @param image the result's filesystem
   * @param pathVariable the result's PATH, or null for the runtime default
   * @param workingDir the result's WorkingDir, or null for {@code /}
   */
  public EntrypointCheck(FileTree image, String pathVariable, String workingDir) {
    this.image = image;
    this.path = (pathVariable == null ? DEFAULT_PATH : pathVariable).split(":");
    this.workingDir = workingDir == null || workingDir.isEmpty() ? "/" : workingDir;
  }

  /** The problems with running {@code entrypoint + cmd}; empty when it can start. */
  public List<Problem> check(List<String> entrypoint, List<String> cmd) {
    List<String> argv = new ArrayList<>(entrypoint == null ? List.of() : entrypoint);
    argv.addAll(cmd == null ? List.of() : cmd);
    if (argv.isEmpty()) {
      return List.of(new Problem(ShrinkException.ENTRYPOINT_MISSING, "the image has neither Entrypoint nor Cmd: nothing to run"));
    }
    List<Problem> problems = new ArrayList<>();
    Optional<FileTree.Resolved> program = findProgram(argv.get(0));
    if (program.isEmpty()) {
      problems.add(new Problem(ShrinkException.ENTRYPOINT_MISSING, "the entrypoint " + argv.get(0) + where(argv.get(0))
          + " is not in the result; add it to the paths or choose a base that has it"));
      return problems;
    }
    checkRunnable(argv.get(0), program.get(), problems, 0);
    return problems;
  }

  private void checkRunnable(String name, FileTree.Resolved found, List<Problem> problems, int depth) {
    FileNode node = found.node();
    if (!node.isFile() || !node.executable()) {
      problems.add(new Problem(ShrinkException.ENTRYPOINT_MISSING,
          name + " (" + found.path() + ") is " + (node.isFile() ? "not executable" : "not a regular file")));
      return;
    }
    if (depth >= MAX_DEPTH) {
      return;
    }
    byte[] head = FileTree.head(node, LayerFilesystem.HEAD_BYTES).orElse(new byte[0]);
    ElfInterpreter.Result elf = ElfInterpreter.read(head);
    if (elf.kind() == ElfInterpreter.Kind.DYNAMIC) {
      requireInterpreter(found.path(), elf.interpreter(), "ELF interpreter", problems, depth);
      return;
    }
    Optional<Shebang> shebang = Shebang.parse(head);
    if (shebang.isEmpty()) {
      return;
    }
    if (!requireInterpreter(found.path(), shebang.get().interpreter(), "script interpreter", problems, depth)) {
      return;
    }
    shebang.get().envProgram().ifPresent(program -> {
      Optional<FileTree.Resolved> target = onPath(program);
      if (target.isEmpty()) {
        problems.add(new Problem(ShrinkException.INTERPRETER_MISSING, found.path() + " runs '" + program
            + "' through " + shebang.get().interpreter() + ", but no " + program + " is on PATH (" + String.join(":", path) + ") in the result"));
      } else {
        checkRunnable(program, target.get(), problems, depth + 1);
      }
    });
  }

  private boolean requireInterpreter(String program, String interpreter, String what, List<Problem> problems, int depth) {
    Optional<FileTree.Resolved> found = image.resolve(interpreter);
    if (found.isEmpty()) {
      problems.add(new Problem(ShrinkException.INTERPRETER_MISSING,
          program + " needs its " + what + " " + interpreter + ", which is not in the result; choose a base that has it"));
      return false;
    }
    checkRunnable(interpreter, found.get(), problems, depth + 1);
    return true;
  }

  /** As execvp: a name with a slash is a path (relative to WorkingDir), a bare name is looked up on PATH. */
  private Optional<FileTree.Resolved> findProgram(String name) {
    if (name.startsWith("/")) {
      return image.resolve(name);
    }
    if (name.contains("/")) {
      return image.resolve(workingDir + "/" + name);
    }
    return onPath(name);
  }

  private Optional<FileTree.Resolved> onPath(String name) {
    Optional<FileTree.Resolved> firstMatch = Optional.empty();
    for (String dir : path) {
      if (dir.isEmpty()) {
        continue;
      }
      Optional<FileTree.Resolved> found = image.resolve(dir + "/" + name);
      if (found.isPresent() && found.get().node().isFile() && found.get().node().executable()) {
        return found;
      }
      if (firstMatch.isEmpty()) {
        firstMatch = found;
      }
    }
    return firstMatch;
  }

  private String where(String name) {
    return name.contains("/") ? "" : " (looked up on PATH " + String.join(":", path) + ")";
  }
}
