package dev.slim.rebase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slim.registry.BlobTransfer;
import dev.slim.registry.Descriptor;
import dev.slim.registry.FakeImages;
import dev.slim.registry.FakeImages.Image;
import dev.slim.registry.ImageRef;
import dev.slim.registry.InMemoryImageRegistry;
import dev.slim.registry.Manifest;
import dev.slim.registry.Platform;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Rebaser's orchestration over an in-memory registry: what is read, pushed, mounted and refused. */
class RebaserTest {

  private final InMemoryImageRegistry registry = new InMemoryImageRegistry();
  private final FakeImages images = new FakeImages(registry);
  private final Rebaser rebaser = new Rebaser(registry);

  private final Image baseV1 = images.base("reg.test/base:1", "linux/amd64", List.of("os-1"), Map.of("PATH", "/bin"));
  private final Image baseV2 = images.base("reg.test/base:2", "linux/amd64", List.of("os-2a", "os-2b"), Map.of("PATH", "/usr/bin"));
  private final Image app = images.app("reg.test/shop/app:1.0", baseV1, List.of("deps", "code"));

  @Test
  void sameRegistryRebaseMountsLayersAndUploadsOnlyTheConfig() {
    RebaseResult result = rebase("reg.test/shop/app:1.0", "reg.test/base:2", "reg.test/shop/app-slim:1.0");

    Manifest pushed = registry.pullManifest(ImageRef.parse("reg.test/shop/app-slim:1.0"));
    assertThat(pushed.digest()).isEqualTo(result.digest());
    assertThat(result.image().toString()).isEqualTo("reg.test/shop/app-slim@" + result.digest());
    assertThat(result.baseDigest()).isEqualTo(baseV2.digest());
    assertThat(result.blobsMounted()).isEqualTo(4);
    assertThat(result.blobsUploaded()).isEqualTo(1);
    assertThat(result.bytesUploaded()).isLessThan(4096).isGreaterThan(pushed.bytes().length);
    assertThat(pushed.json().path("layers")).hasSize(4);
    assertThat(pushed.json().at("/annotations/org.opencontainers.image.base.digest").asText()).isEqualTo(baseV2.digest().value());
    assertThat(result.platforms()).containsExactly(new RebaseResult.PlatformImage(Platform.parse("linux/amd64"), result.digest()));
  }

  @Test
  void secondRunIsANoOpWithTheSameDigest() {
    RebaseResult first = rebase("reg.test/shop/app:1.0", "reg.test/base:2", "reg.test/shop/app-slim:1.0");
    int requestsBefore = registry.requests().size();
    RebaseResult second = rebase("reg.test/shop/app:1.0", "reg.test/base:2", "reg.test/shop/app-slim:1.0");

    assertThat(second.digest()).isEqualTo(first.digest());
    assertThat(second.bytesUploaded()).isZero();
    assertThat(second.blobsUploaded()).isZero();
    assertThat(registry.requests().subList(requestsBefore, registry.requests().size()))
        .noneMatch(r -> r.startsWith("pushManifest"));
  }

  @Test
  void appNotOnTheOldBasePushesNothing() {
    Image other = images.base("reg.test/other:1", "linux/amd64", List.of("other-os"), Map.of());
    RebaseRequest request = new RebaseRequest(ImageRef.parse("reg.test/shop/app:1.0"), ImageRef.parse("reg.test/base:2"),
        Optional.of(other.ref()), ImageRef.parse("reg.test/shop/app-slim:1.0"), List.of());

    assertThatThrownBy(() -> rebaser.rebase(request))
        .isInstanceOfSatisfying(RebaseException.class, e -> assertThat(e.reason()).isEqualTo(RebaseException.NOT_BASED_ON_OLD_BASE))
        .hasMessageContaining("layer 1 of 1 differs");
    assertThat(registry.requests()).noneMatch(r -> r.startsWith("push") || r.startsWith("copyBlob"));
    assertThat(registry.hasTag(ImageRef.parse("reg.test/shop/app-slim:1.0"))).isFalse();
  }

  @Test
  void appWithoutBaseAnnotationsNeedsAnOldBase() {
    Image bare = images.base("reg.test/shop/bare:1", "linux/amd64", List.of("x"), Map.of());
    assertThatThrownBy(() -> rebase(bare.ref().toString(), "reg.test/base:2", "reg.test/shop/bare-slim:1"))
        .isInstanceOfSatisfying(RebaseException.class, e -> assertThat(e.reason()).isEqualTo(RebaseException.OLD_BASE_UNKNOWN))
        .hasMessageContaining("--old-base");
  }

  @Test
  void indexAppIsRebasedPerPlatformAndTheIndexPushedLast() {
    Image baseArm = images.base("reg.test/base:1-arm", "linux/arm64", List.of("os-1-arm"), Map.of());
    Image baseArm2 = images.base("reg.test/base:2-arm", "linux/arm64", List.of("os-2-arm"), Map.of());
    Image appArm = images.app("reg.test/shop/app:1.0-arm", baseArm, List.of("code-arm"));
    images.index("reg.test/shop/app:multi", app, appArm);
    images.index("reg.test/base:1-multi", baseV1, baseArm);
    images.index("reg.test/base:2-multi", baseV2, baseArm2);

    RebaseResult result = rebase("reg.test/shop/app:multi", "reg.test/base:2-multi", "reg.test/shop/app-slim:multi");

    assertThat(result.platforms()).extracting(p -> p.platform().toString()).containsExactly("linux/amd64", "linux/arm64");
    Manifest index = registry.pullManifest(ImageRef.parse("reg.test/shop/app-slim:multi"));
    assertThat(index.isIndex()).isTrue();
    assertThat(index.json().at("/manifests/1/digest").asText()).isEqualTo(result.platforms().get(1).digest().value());
    List<String> pushes = registry.requests().stream().filter(r -> r.startsWith("pushManifest")).toList();
    assertThat(pushes.get(pushes.size() - 1)).endsWith(":multi");
    Manifest arm = registry.pullManifest(ImageRef.parse("reg.test/shop/app-slim").withDigest(result.platforms().get(1).digest()));
    assertThat(arm.json().at("/layers/0/digest").asText()).isEqualTo(baseArm2.manifest().json().at("/layers/0/digest").asText());
  }

  @Test
  void platformMissingFromTheNewBaseIsRefusedBeforeAnythingIsPushedUnlessLeftOut() {
    Image baseArm = images.base("reg.test/base:1-arm", "linux/arm64", List.of("os-1-arm"), Map.of());
    Image appArm = images.app("reg.test/shop/app:1.0-arm", baseArm, List.of("code-arm"));
    images.index("reg.test/shop/app:multi", app, appArm);
    images.index("reg.test/base:2-amd-only", baseV2);

    assertThatThrownBy(() -> rebase("reg.test/shop/app:multi", "reg.test/base:2-amd-only", "reg.test/shop/app-slim:multi"))
        .isInstanceOfSatisfying(RebaseException.class, e -> assertThat(e.reason()).isEqualTo(RebaseException.PLATFORM_MISSING))
        .hasMessageContaining("linux/arm64");
    assertThat(registry.requests()).as("the amd64 child is planned but not pushed before arm64 fails")
        .noneMatch(r -> r.startsWith("push") || r.startsWith("copyBlob"));

    RebaseResult amdOnly = rebaser.rebase(new RebaseRequest(ImageRef.parse("reg.test/shop/app:multi"),
        ImageRef.parse("reg.test/base:2-amd-only"), Optional.empty(), ImageRef.parse("reg.test/shop/app-slim:multi"),
        List.of(Platform.parse("linux/amd64"))));
    assertThat(amdOnly.platforms()).hasSize(1);
  }

  @Test
  void singlePlatformAppOnAnIndexBaseUsesTheMatchingChild() {
    Manifest baseIndex = images.index("reg.test/base:2-multi", baseV2);
    RebaseResult result = rebase("reg.test/shop/app:1.0", "reg.test/base:2-multi", "reg.test/shop/app-slim:1.0");

    assertThat(result.baseDigest()).isEqualTo(baseIndex.digest());
    Manifest pushed = registry.pullManifest(ImageRef.parse("reg.test/shop/app-slim:1.0"));
    assertThat(pushed.isIndex()).isFalse();
    assertThat(pushed.json().at("/layers/0/digest").asText()).isEqualTo(baseV2.manifest().json().at("/layers/0/digest").asText());
  }

  @Test
  void crossRegistryTargetStreamsLayers() {
    RebaseResult result = rebase("reg.test/shop/app:1.0", "reg.test/base:2", "other.test/shop/app:1.0");
    assertThat(result.blobsMounted()).isZero();
    assertThat(result.blobsUploaded()).isEqualTo(5);
    Descriptor config = Rebaser.descriptor(registry.pullManifest(ImageRef.parse("other.test/shop/app:1.0")).json().get("config"));
    assertThat(registry.copyBlob(ImageRef.parse("reg.test/x"), ImageRef.parse("other.test/shop/app"), config))
        .isEqualTo(BlobTransfer.existed());
  }

  private RebaseResult rebase(String app, String newBase, String target) {
    return rebaser.rebase(new RebaseRequest(ImageRef.parse(app), ImageRef.parse(newBase), Optional.empty(), ImageRef.parse(target), List.of()));
  }
}
