package dev.slim.rebase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slim.rebase.PackageDatabaseCheck.Policy;
import dev.slim.registry.Descriptor;
import dev.slim.registry.ImageRef;
import dev.slim.registry.InMemoryImageRegistry;
import dev.slim.registry.MediaTypes;
import dev.slim.testing.Layer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which tar entries touch a package database, what each policy does, and that layers are read once. */
class PackageDatabaseCheckTest {

  private final InMemoryImageRegistry registry = new InMemoryImageRegistry();
  private final ImageRef app = ImageRef.parse("reg.test/shop/app:1");
  private final Layer code = Layer.of(Map.of("app/run", "echo hi\n"));
  private final Layer dpkg = Layer.builder().file("app/run", "x").file("var/lib/dpkg/status", "Package: curl\n").build();

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "var/lib/dpkg/status|/var/lib/dpkg/status",
    "./var/lib/dpkg/status|/var/lib/dpkg/status",
    "/var/lib/dpkg/status|/var/lib/dpkg/status",
    "var/lib/dpkg/.wh.status|/var/lib/dpkg/status (whiteout: deletes the base's copy)",
    "var/lib/dpkg/status.d/base-files|/var/lib/dpkg/status.d/base-files",
    "var/lib/dpkg/status.d/|/var/lib/dpkg/status.d/",
    "lib/apk/db/installed|/lib/apk/db/installed",
    "usr/lib/sysimage/rpm/rpmdb.sqlite|/usr/lib/sysimage/rpm/rpmdb.sqlite",
    "var/lib/dpkg/.wh..wh..opq|/var/lib/dpkg/ (opaque: hides the base's copy)",
    "var/lib/.wh..wh..opq|/var/lib/ (opaque: hides the base's copy)",
    "var/lib/dpkg/status-old|",
    "var/lib/dpkg/available|",
    "app/var/lib/dpkg/status|",
    "usr/lib/.wh..wh..opq|/usr/lib/ (opaque: hides the base's copy)",
    "usr/share/.wh..wh..opq|",
    "var/lib/dpkg/|",
  })
  void findsWritesWhiteoutsAndOpaqueDirectories(String entry, String expected) {
    assertThat(PackageDatabaseCheck.touchedBy(entry).orElse(null)).isEqualTo(expected);
  }

  @Test
  void warnNamesTheLayerAndPathAndReadsEachLayerOnce() {
    PackageDatabaseCheck check = new PackageDatabaseCheck(Policy.WARN);

    List<String> warnings = check.check(registry, app, seed(code, dpkg));
    List<String> again = check.check(registry, app, seed(code, dpkg));

    assertThat(warnings).singleElement().asString().contains(dpkg.digest().value()).contains("/var/lib/dpkg/status");
    assertThat(again).isEqualTo(warnings);
    assertThat(registry.requests().stream().filter(r -> r.startsWith("openBlob"))).hasSize(2);
  }

  @Test
  void refuseThrowsWithTheReason() {
    PackageDatabaseCheck check = new PackageDatabaseCheck(Policy.REFUSE);
    assertThatThrownBy(() -> check.check(registry, app, seed(code, dpkg)))
        .isInstanceOfSatisfying(RebaseException.class, e -> assertThat(e.reason()).isEqualTo(RebaseException.PACKAGE_DATABASE_OVERWRITTEN))
        .hasMessageContaining("/var/lib/dpkg/status");
  }

  @Test
  void offReadsNothing() {
    assertThat(new PackageDatabaseCheck(Policy.OFF).check(registry, app, seed(code, dpkg))).isEmpty();
    assertThat(registry.requests()).noneMatch(r -> r.startsWith("openBlob"));
  }

  @Test
  void policiesParseInAnyCaseAndSayWhatIsAllowed() {
    assertThat(Policy.parse("Refuse")).isEqualTo(Policy.REFUSE);
    assertThatThrownBy(() -> Policy.parse("sometimes")).hasMessageContaining("warn, refuse or off");
  }

  private List<Descriptor> seed(Layer... layers) {
    return Arrays.stream(layers).map(l -> {
      registry.putBlob(app, l.gzip());
      return new Descriptor(MediaTypes.OCI_LAYER, l.digest(), l.size());
    }).toList();
  }
}
