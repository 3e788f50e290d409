package dev.slim.shrink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slim.testing.Layer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whether an image can start: the program, its ELF interpreter, its #! interpreter, PATH lookups. */
class EntrypointCheckTest {

  @TempDir Path spool;

  private FileTree tree(Layer layer) {
    LayerFilesystem fs = new LayerFilesystem(new FileTree(), p -> LayerFilesystem.Level.HEAD, spool);
    fs.apply(LayerFilesystemTest.gz(layer), "test");
    return fs.tree();
  }

  private static final byte[] DYNAMIC = ElfBytes.dynamic("/lib64/ld-linux-x86-64.so.2");

  @Test
  void scriptWithItsInterpreterPresentPasses() {
    FileTree t = tree(Layer.builder().executable("app/run.sh", "#!/bin/sh\n").file("bin/sh", DYNAMIC, 0755)
        .file("lib64/ld-linux-x86-64.so.2", new byte[] {1}, 0755).build());
    assertThat(new EntrypointCheck(t, null, null).check(List.of("/app/run.sh"), null)).isEmpty();
  }

  @Test
  void scriptWithoutItsInterpreterFails() {
    FileTree t = tree(Layer.builder().executable("app/run.sh", "#!/bin/sh\n").build());
    assertThat(new EntrypointCheck(t, null, null).check(List.of("/app/run.sh"), List.of("--x")))
        .singleElement().satisfies(p -> {
          assertThat(p.reason()).isEqualTo(ShrinkException.INTERPRETER_MISSING);
          assertThat(p.message()).contains("/bin/sh");
        });
  }

  @Test
  void dynamicBinaryWithoutItsElfInterpreterFails() {
    FileTree t = tree(Layer.builder().file("app/server", DYNAMIC, 0755).build());
    assertThat(new EntrypointCheck(t, null, null).check(null, List.of("/app/server")))
        .extracting(EntrypointCheck.Problem::reason).containsExactly(ShrinkException.INTERPRETER_MISSING);
  }

  @Test
  void theInterpretersOwnInterpreterIsCheckedToo() {
    // /bin/sh exists but is a dynamic binary whose ld.so is gone: the script still cannot run.
    FileTree t = tree(Layer.builder().executable("app/run.sh", "#!/bin/sh\n").file("bin/sh", DYNAMIC, 0755).build());
    assertThat(new EntrypointCheck(t, null, null).check(List.of("/app/run.sh"), null))
        .singleElement().satisfies(p -> assertThat(p.message()).contains("/lib64/ld-linux-x86-64.so.2"));
  }

  @Test
  void bareNamesAreLookedUpOnPathAndEnvProgramsToo() {
    FileTree t = tree(Layer.builder().executable("usr/bin/env", "static").executable("opt/py/bin/python3", "static")
        .executable("app/tool", "#!/usr/bin/env python3\n").symlink("usr/local/bin/tool", "/app/tool").build());
    assertThat(new EntrypointCheck(t, "/usr/local/bin:/usr/bin:/opt/py/bin", null).check(List.of("tool"), null)).isEmpty();
    assertThat(new EntrypointCheck(t, "/usr/local/bin:/usr/bin", null).check(List.of("tool"), null))
        .singleElement().satisfies(p -> assertThat(p.message()).contains("no python3 is on PATH"));
    assertThat(new EntrypointCheck(t, "/usr/bin", null).check(List.of("java", "-jar", "x.jar"), null))
        .singleElement().satisfies(p -> assertThat(p.reason()).isEqualTo(ShrinkException.ENTRYPOINT_MISSING));
  }

  @Test
  void relativeProgramsResolveFromWorkingDirAndMustBeExecutable() {
    FileTree t = tree(Layer.builder().file("app/bin/start", "#!/bin/false\n").build());
    assertThat(new EntrypointCheck(t, null, "/app").check(List.of("bin/start"), null))
        .singleElement().satisfies(p -> assertThat(p.message()).contains("not executable"));
  }

  @Test
  void nothingToRunIsAProblem() {
    assertThat(new EntrypointCheck(new FileTree(), null, null).check(null, List.of()))
        .extracting(EntrypointCheck.Problem::reason).containsExactly(ShrinkException.ENTRYPOINT_MISSING);
  }

  /** The smallest ELF64 little-endian header with a PT_INTERP, enough for the checker. */
  static final class ElfBytes {
    static byte[] dynamic(String interp) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(256).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
      b.putLong(0x20, 64).putShort(0x36, (short) 56).putShort(0x38, (short) 1);
      b.putInt(64, 3).putLong(64 + 0x08, 128).putLong(64 + 0x20, interp.length() + 1);
      b.put(128, interp.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return b.array();
    }
  }
}
