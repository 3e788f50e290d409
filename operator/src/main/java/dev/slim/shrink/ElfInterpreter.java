package dev.slim.shrink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads the program interpreter (PT_INTERP, e.g. {@code /lib64/ld-linux-x86-64.so.2}) from the
 * first bytes of an ELF executable: a dynamically linked binary cannot start without it, and a
 * slim base built on another libc often lacks it.
 */
public final class ElfInterpreter {

  /** What the header says about the interpreter. */
  public enum Kind { NOT_ELF, STATIC, DYNAMIC, UNREADABLE }

  /** The answer: the kind, and the interpreter path when DYNAMIC. */
  public record Result(Kind kind, String interpreter) {
    public Optional<String> path() {
      return Optional.ofNullable(interpreter);
    }
  }

  private static final int PT_INTERP = 3;

  private ElfInterpreter() {}

  /** @param head the file's first bytes; PT_INTERP sits near the start in every linker's output */
  public static Result read(byte[] head) {
    if (head.length < 52 || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F') {
      return new Result(Kind.NOT_ELF, null);
    }
    boolean is64 = head[4] == 2;
    ByteBuffer b = ByteBuffer.wrap(head).order(head[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    long phoff = is64 ? b.getLong(0x20) : Integer.toUnsignedLong(b.getInt(0x1c));
    int phentsize = Short.toUnsignedInt(b.getShort(is64 ? 0x36 : 0x2a));
    int phnum = Short.toUnsignedInt(b.getShort(is64 ? 0x38 : 0x2c));
    for (int i = 0; i < phnum; i++) {
      long at = phoff + (long) i * phentsize;
      if (at + (is64 ? 0x28 : 0x20) > head.length) {
        return new Result(Kind.UNREADABLE, null);
      }
      if (b.getInt((int) at) != PT_INTERP) {
        continue;
      }
      long offset = is64 ? b.getLong((int) at + 0x08) : Integer.toUnsignedLong(b.getInt((int) at + 0x04));
      long size = is64 ? b.getLong((int) at + 0x20) : Integer.toUnsignedLong(b.getInt((int) at + 0x10));
      if (offset < 0 || size <= 0 || offset + size > head.length) {
        return new Result(Kind.UNREADABLE, null);
      }
      int end = (int) offset;
      while (end < offset + size && head[end] != 0) {
        end++;
      }
      return new Result(Kind.DYNAMIC, new String(head, (int) offset, end - (int) offset, StandardCharsets.UTF_8));
    }
    return new Result(Kind.STATIC, null);
  }
}
