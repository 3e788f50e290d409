package dev.slim.shrink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slim.testing.Layer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layers applied in order the way a runtime unpacks them: whiteouts, opaque directories, replacement, links. */
class LayerFilesystemTest {

  @TempDir Path spool;

  private LayerFilesystem everything() {
    return new LayerFilesystem(new FileTree(), path -> LayerFilesystem.Level.SPOOL, spool);
  }

  @Test
  void whiteoutRemovesAFileOrADirectoryOfALowerLayer() {
    LayerFilesystem fs = everything();
    fs.apply(gz(Layer.builder().dir("app").file("app/a", "a").file("app/secret", "s").dir("app/cache").file("app/cache/x", "x").build()), "1");
    fs.apply(gz(Layer.builder().whiteout("app/secret").whiteout("app/cache").build()), "2");

    assertThat(fs.tree().all().keySet()).containsExactly("/app", "/app/a");
  }

  @Test
  void opaqueDirectoryHidesLowerLayersButKeepsItsOwnLayersEntries() {
    LayerFilesystem fs = everything();
    fs.apply(gz(Layer.builder().dir("etc").file("etc/old", "o").dir("etc/sub").file("etc/sub/deep", "d").file("etcetera", "kept").build()), "1");
    // The marker may come after the layer's own entries in the same directory.
    fs.apply(gz(Layer.builder().dir("etc").file("etc/new", "n").file("etc/.wh..wh..opq", new byte[0], 0644).build()), "2");

    assertThat(fs.tree().all().keySet()).containsExactly("/etc", "/etc/new", "/etcetera");
  }

  @Test
  void aFileReplacingADirectoryTakesItsSubtree() {
    LayerFilesystem fs = everything();
    fs.apply(gz(Layer.builder().dir("opt").dir("opt/x").file("opt/x/y", "y").build()), "1");
    fs.apply(gz(Layer.builder().file("opt/x", "now a file").build()), "2");

    assertThat(fs.tree().all().keySet()).containsExactly("/opt", "/opt/x");
    assertThat(fs.tree().read("/opt/x")).hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("now a file"));
  }

  @Test
  void symlinksResolveRelativeAndAbsoluteAndThroughDirectories() {
    LayerFilesystem fs = everything();
    fs.apply(gz(Layer.builder().dir("usr").dir("usr/bin").executable("usr/bin/dash", "#!\n").symlink("bin", "usr/bin")
        .symlink("usr/bin/sh", "dash").symlink("usr/bin/abs", "/bin/sh").symlink("loop", "loop").build()), "1");
    FileTree tree = fs.tree();

    assertThat(tree.resolve("/bin/sh")).hasValueSatisfying(r -> assertThat(r.path()).isEqualTo("/usr/bin/dash"));
    assertThat(tree.resolve("/usr/bin/abs")).hasValueSatisfying(r -> assertThat(r.path()).isEqualTo("/usr/bin/dash"));
    assertThat(tree.resolve("/loop")).isEmpty();
    assertThat(tree.resolve("/usr/bin/dash/x")).as("a file is not a directory").isEmpty();
  }

  @Test
  void keepPolicySkipsWhatItIsNotAskedFor() {
    LayerFilesystem fs = new LayerFilesystem(new FileTree(),
        path -> path.startsWith("/app") ? LayerFilesystem.Level.SPOOL : LayerFilesystem.Level.SKIP, spool);
    fs.apply(gz(Layer.builder().dir("app").file("app/x", "x").dir("usr").file("usr/big", "b").build()), "1");

    assertThat(fs.tree().all().keySet()).containsExactly("/app", "/app/x");
    assertThat(fs.tree().get("/app/x").orElseThrow().spooled()).exists();
  }

  @Test
  void headLevelKeepsTheStartOfExecutablesOnly() {
    LayerFilesystem fs = new LayerFilesystem(new FileTree(), path -> LayerFilesystem.Level.HEAD, spool);
    fs.apply(gz(Layer.builder().executable("run", "#!/bin/sh\n").file("data", "not kept").build()), "1");

    assertThat(new String(fs.tree().get("/run").orElseThrow().head(), StandardCharsets.UTF_8)).isEqualTo("#!/bin/sh\n");
    assertThat(fs.tree().get("/data").orElseThrow().head()).isNull();
  }

  @Test
  void hardLinkSharesItsTargetsContentAndModeAndOwnerAreKept() throws IOException {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
      TarArchiveEntry file = new TarArchiveEntry("app/bin");
      byte[] content = "binary".getBytes(StandardCharsets.UTF_8);
      file.setSize(content.length);
      file.setMode(0104750);
      file.setUserId(1000);
      file.setGroupId(2000);
      out.putArchiveEntry(file);
      out.write(content);
      out.closeArchiveEntry();
      TarArchiveEntry link = new TarArchiveEntry("app/bin2", TarConstants.LF_LINK);
      link.setLinkName("app/bin");
      out.putArchiveEntry(link);
      out.closeArchiveEntry();
    }
    LayerFilesystem fs = everything();
    fs.apply(new ByteArrayInputStream(tar.toByteArray()), "plain tar");

    FileNode node = fs.tree().get("/app/bin2").orElseThrow();
    assertThat(Files.readString(node.spooled())).isEqualTo("binary");
    assertThat(node.mode()).isEqualTo(04750);
    assertThat(node.uid()).isEqualTo(1000);
    assertThat(node.gid()).isEqualTo(2000);
  }

  @Test
  void zstdLayersAreRefusedByName() {
    byte[] zstd = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0};
    assertThatThrownBy(() -> everything().apply(new ByteArrayInputStream(zstd), "sha256:abc"))
        .isInstanceOfSatisfying(ShrinkException.class, e -> assertThat(e.reason()).isEqualTo(ShrinkException.UNSUPPORTED_LAYER))
        .hasMessageContaining("zstd");
  }

  static ByteArrayInputStream gz(Layer layer) {
    return new ByteArrayInputStream(layer.gzip());
  }
}
