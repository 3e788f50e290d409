package dev.slim.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parsing of image references, digests and platforms: what a user may type, and what is refused. */
class ImageRefTest {

  @ParameterizedTest
  @CsvSource({
    "reg.example.com/shop/orders:1.4.2, reg.example.com, shop/orders, 1.4.2",
    "127.0.0.1:5000/base, 127.0.0.1:5000, base, latest",
    "localhost/app:dev, localhost, app, dev",
    "ubuntu, registry-1.docker.io, library/ubuntu, latest",
    "docker.io/bitnami/nginx:1.25, registry-1.docker.io, bitnami/nginx, 1.25",
    "cgr.dev/chainguard/jre:openjdk-17, cgr.dev, chainguard/jre, openjdk-17",
  })
  void parsesRegistryRepositoryAndTag(String text, String registry, String repository, String tag) {
    ImageRef ref = ImageRef.parse(text);
    assertThat(ref.registry()).isEqualTo(registry);
    assertThat(ref.repository()).isEqualTo(repository);
    assertThat(ref.tag()).isEqualTo(tag);
    assertThat(ref.digest()).isNull();
  }

  @Test
  void keepsTagAndDigestAndPrefersTheDigest() {
    String digest = "sha256:" + "a".repeat(64);
    ImageRef ref = ImageRef.parse("reg.example/app:1@" + digest);
    assertThat(ref.tag()).isEqualTo("1");
    assertThat(ref.digest().value()).isEqualTo(digest);
    assertThat(ref.reference()).isEqualTo(digest);
    assertThat(ref.toString()).isEqualTo("reg.example/app:1@" + digest);
    assertThat(ImageRef.parse("reg.example/app@" + digest).tag()).isNull();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "' '|is empty",
    "Reg.example/App:1|invalid repository 'App'",
    "reg.example/app:-bad|invalid tag '-bad'",
    "reg.example/app@sha256:abc|invalid digest",
    "reg.example/|names no repository",
    "a//b|invalid repository 'a//b'",
  })
  void refusesInvalidReferencesSayingWhatIsWrong(String text, String message) {
    assertThatThrownBy(() -> ImageRef.parse(text)).isInstanceOf(InvalidReferenceException.class).hasMessageContaining(message);
  }

  @Test
  void platformsMatchWithTheDefaultArm64Variant() {
    assertThat(Platform.parse("linux/arm64").matches(Platform.parse("linux/arm64/v8"))).isTrue();
    assertThat(Platform.parse("linux/arm/v7").matches(Platform.parse("linux/arm/v6"))).isFalse();
    assertThat(Platform.parse("linux/amd64").matches(Platform.parse("linux/arm64"))).isFalse();
    assertThatThrownBy(() -> Platform.parse("linux")).hasMessageContaining("OS/ARCH");
  }

  @Test
  void digestsAreComputedAndValidated() {
    assertThat(Digest.of(new byte[0]).value())
        .isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThatThrownBy(() -> Digest.parse("md5:abc")).hasMessageContaining("64 lowercase hex");
  }
}
