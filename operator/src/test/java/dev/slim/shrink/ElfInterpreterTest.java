package dev.slim.shrink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** PT_INTERP from real linker output and from hand-made headers of both classes and byte orders. */
class ElfInterpreterTest {

  @Test
  void readsTheInterpreterOfARealDynamicBinary() throws IOException {
    Path dash = Path.of("/bin/dash");
    Assumptions.assumeTrue(Files.exists(dash), "needs a dynamically linked /bin/dash");
    byte[] head;
    try (InputStream in = Files.newInputStream(dash)) {
      head = in.readNBytes(LayerFilesystem.HEAD_BYTES);
    }
    ElfInterpreter.Result result = ElfInterpreter.read(head);
    assertThat(result.kind()).isEqualTo(ElfInterpreter.Kind.DYNAMIC);
    assertThat(result.interpreter()).startsWith("/lib").contains("ld-linux");
  }

  @Test
  void readsElf32BigEndian() {
    byte[] elf = elf(false, ByteOrder.BIG_ENDIAN, "/lib/ld.so.1");
    assertThat(ElfInterpreter.read(elf)).isEqualTo(new ElfInterpreter.Result(ElfInterpreter.Kind.DYNAMIC, "/lib/ld.so.1"));
  }

  @Test
  void readsElf64LittleEndian() {
    byte[] elf = elf(true, ByteOrder.LITTLE_ENDIAN, "/lib/ld-musl-x86_64.so.1");
    assertThat(ElfInterpreter.read(elf).interpreter()).isEqualTo("/lib/ld-musl-x86_64.so.1");
  }

  @Test
  void staticBinaryAndScriptsAreToldApart() {
    assertThat(ElfInterpreter.read(elf(true, ByteOrder.LITTLE_ENDIAN, null)).kind()).isEqualTo(ElfInterpreter.Kind.STATIC);
    assertThat(ElfInterpreter.read("#!/bin/sh\necho hi\n".repeat(4).getBytes(StandardCharsets.UTF_8)).kind())
        .isEqualTo(ElfInterpreter.Kind.NOT_ELF);
  }

  @Test
  void truncatedHeadersAreUnreadableNotStatic() {
    byte[] elf = elf(true, ByteOrder.LITTLE_ENDIAN, "/lib64/ld-linux-x86-64.so.2");
    byte[] cut = java.util.Arrays.copyOf(elf, 70);
    assertThat(ElfInterpreter.read(cut).kind()).isEqualTo(ElfInterpreter.Kind.UNREADABLE);
  }

  @Test
  void shebangLinesAreParsed() {
    assertThat(Shebang.parse("#!/bin/sh -e\n".getBytes(StandardCharsets.UTF_8))).hasValue(new Shebang("/bin/sh", "-e"));
    assertThat(Shebang.parse("#! /usr/bin/env python3\n".getBytes(StandardCharsets.UTF_8)).orElseThrow().envProgram()).hasValue("python3");
    assertThat(Shebang.parse("#!/usr/bin/env -S node --x\n".getBytes(StandardCharsets.UTF_8)).orElseThrow().envProgram()).isEmpty();
    assertThat(Shebang.parse("echo\n".getBytes(StandardCharsets.UTF_8))).isEmpty();
  }

  /** An ELF header, one PT_LOAD and (when {@code interp} is given) one PT_INTERP program header. */
  private static byte[] elf(boolean is64, ByteOrder order, String interp) {
    int ehsize = is64 ? 64 : 52;
    int phentsize = is64 ? 56 : 32;
    int phnum = interp == null ? 1 : 2;
    int dataAt = ehsize + phnum * phentsize;
    ByteBuffer b = ByteBuffer.allocate(dataAt + 64).order(order);
    b.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) (is64 ? 2 : 1), (byte) (order == ByteOrder.BIG_ENDIAN ? 2 : 1), 1});
    if (is64) {
      b.putLong(0x20, ehsize).putShort(0x36, (short) phentsize).putShort(0x38, (short) phnum);
    } else {
      b.putInt(0x1c, ehsize).putShort(0x2a, (short) phentsize).putShort(0x2c, (short) phnum);
    }
    b.putInt(ehsize, 1); // PT_LOAD
    if (interp != null) {
      int ph = ehsize + phentsize;
      byte[] path = (interp + "\0").getBytes(StandardCharsets.US_ASCII);
      b.putInt(ph, 3);
      if (is64) {
        b.putLong(ph + 0x08, dataAt).putLong(ph + 0x20, path.length);
      } else {
        b.putInt(ph + 0x04, dataAt).putInt(ph + 0x10, path.length);
      }
      b.put(dataAt, path);
    }
    return b.array();
  }
}
