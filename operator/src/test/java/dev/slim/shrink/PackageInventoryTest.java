package dev.slim.shrink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slim.testing.Layer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Package counts from dpkg, distroless status.d and apk databases; rpm is reported as unknown. */
class PackageInventoryTest {

  @TempDir Path spool;

  private PackageInventory of(Layer layer) {
    LayerFilesystem fs = new LayerFilesystem(new FileTree(),
        p -> PackageInventory.isDatabase(p) ? LayerFilesystem.Level.WHOLE : LayerFilesystem.Level.METADATA, spool);
    fs.apply(LayerFilesystemTest.gz(layer), "test");
    return PackageInventory.of(fs.tree());
  }

  @Test
  void dpkgCountsInstalledPackagesOnly() {
    PackageInventory inv = of(Layer.builder().file("var/lib/dpkg/status",
        "Package: bash\nStatus: install ok installed\nVersion: 5\n\n"
            + "Package: libc6\nStatus: install ok installed\nDescription: multi\n line\n\n"
            + "Package: gone\nStatus: deinstall ok config-files\n\n").build());
    assertThat(inv.names()).containsExactly("bash", "libc6");
    assertThat(inv.databases()).containsExactly("dpkg");
    assertThat(inv.count()).isEqualTo(2);
  }

  @Test
  void distrolessStatusDirectoryCountsEachFileAndSkipsChecksums() {
    PackageInventory inv = of(Layer.builder().file("var/lib/dpkg/status.d/base", "Package: base-files\nVersion: 1\n")
        .file("var/lib/dpkg/status.d/libc6", "Package: libc6\n").file("var/lib/dpkg/status.d/libc6.md5sums", "abc  /x\n").build());
    assertThat(inv.names()).containsExactly("base-files", "libc6");
  }

  @Test
  void apkInstalledIsRead() {
    PackageInventory inv = of(Layer.builder().file("lib/apk/db/installed", "C:Q1x\nP:musl\nV:1.2\n\nP:busybox\nV:1.36\n").build());
    assertThat(inv.names()).containsExactly("busybox", "musl");
    assertThat(inv.databases()).containsExactly("apk");
  }

  @Test
  void rpmDatabaseMakesTheCountUnknown() {
    PackageInventory inv = of(Layer.builder().file("var/lib/rpm/rpmdb.sqlite", "SQLite format 3").build());
    assertThat(inv.complete()).isFalse();
    assertThat(inv.count()).isEqualTo(-1);
    assertThat(inv.databases()).containsExactly("rpm");
  }

  @Test
  void removedIsTheSortedDifference() {
    PackageInventory before = of(Layer.builder().file("var/lib/dpkg/status",
        "Package: c\nStatus: install ok installed\n\nPackage: a\nStatus: install ok installed\n\nPackage: b\nStatus: install ok installed\n").build());
    PackageInventory after = of(Layer.builder().file("var/lib/dpkg/status.d/b", "Package: b\n").build());
    assertThat(PackageInventory.removed(before, after)).containsExactly("a", "c");
  }
}
