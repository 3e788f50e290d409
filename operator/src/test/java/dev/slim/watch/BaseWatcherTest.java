package dev.slim.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slim.registry.BlobTransfer;
import dev.slim.registry.Descriptor;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.Manifest;
import dev.slim.registry.RegistryCredentials;
import dev.slim.registry.RegistryException;
import dev.slim.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared watcher driven by a fake clock and a direct executor: requests, intervals, backoff. */
class BaseWatcherTest {

  static final ImageRef BASE = ImageRef.parse("reg-a.test/base:latest");
  static final ImageRef OTHER_BASE = ImageRef.parse("reg-a.test/other:latest");
  static final ImageRef APP = ImageRef.parse("reg-b.test/shop/app:1.0");
  static final RegistryCredentials ANONYMOUS = RegistryCredentials.anonymous();

  /** Answers resolve from a map of tags, counts every request, and can be told to fail per registry. */
  static final class TagRegistry implements ImageRegistry {
    final Map<ImageRef, Digest> tags = new HashMap<>();
    final List<ImageRef> resolved = new ArrayList<>();
    final Map<String, RegistryException> failing = new HashMap<>();

    @Override
    public Digest resolve(ImageRef ref) {
      resolved.add(ref);
      RegistryException e = failing.get(ref.registry());
      if (e != null) {
        throw e;
      }
      Digest d = tags.get(ref);
      if (d == null) {
        throw new RegistryException(RegistryException.Kind.NOT_FOUND, ref.registry(), ref.toString(), ref + " not found");
      }
      return d;
    }

    long count(ImageRef ref) {
      return resolved.stream().filter(ref::equals).count();
    }

    @Override public Manifest pullManifest(ImageRef ref) { throw new UnsupportedOperationException(); }
    @Override public byte[] pullBlob(ImageRef repository, Digest digest) { throw new UnsupportedOperationException(); }
    @Override public java.io.InputStream openBlob(ImageRef repository, Digest digest) { throw new UnsupportedOperationException(); }
    @Override public BlobTransfer copyBlob(ImageRef source, ImageRef target, Descriptor blob) { throw new UnsupportedOperationException(); }
    @Override public BlobTransfer pushBlob(ImageRef target, byte[] content) { throw new UnsupportedOperationException(); }
    @Override public Digest pushManifest(ImageRef target, Manifest manifest) { throw new UnsupportedOperationException(); }
  }

  final MutableClock clock = MutableClock.at("2025-01-01T00:00:00Z");
  final TagRegistry registry = new TagRegistry();
  final BaseWatcher<String> watcher = new BaseWatcher<>(c -> registry, clock, Runnable::run, Duration.ofMinutes(5));
  final List<Set<String>> notified = new ArrayList<>();

  @BeforeEach
  void seed() {
    registry.tags.put(BASE, digest("base-1"));
    registry.tags.put(OTHER_BASE, digest("other-1"));
    registry.tags.put(APP, digest("app-1"));
    watcher.setListener((ref, subscribers) -> notified.add(new HashSet<>(subscribers)));
  }

  @Test
  void manySubscribersOnOneBaseCostOneResolvePerInterval() {
    for (int i = 0; i < 20; i++) {
      watcher.subscribe("slim-" + i, Set.of(BASE), Duration.ofMinutes(5), ANONYMOUS);
    }
    watcher.tick();
    assertThat(registry.count(BASE)).isEqualTo(1);

    for (int s = 0; s < 299; s++) {
      clock.advance(Duration.ofSeconds(1));
      watcher.tick();
    }
    assertThat(registry.count(BASE)).as("nothing before the interval ends").isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));
    watcher.tick();
    assertThat(registry.count(BASE)).isEqualTo(2);
    assertThat(watcher.size()).isEqualTo(1);
  }

  @Test
  void theShortestIntervalAskedForWins() {
    watcher.subscribe("slow", Set.of(BASE), Duration.ofMinutes(10), ANONYMOUS);
    watcher.subscribe("fast", Set.of(BASE), Duration.ofMinutes(1), ANONYMOUS);
    watcher.tick();
    clock.advance(Duration.ofMinutes(1));
    watcher.tick();
    assertThat(registry.count(BASE)).isEqualTo(2);

    watcher.forget("fast");
    clock.advance(Duration.ofMinutes(1));
    watcher.tick();
    clock.advance(Duration.ofMinutes(1));
    watcher.tick();
    assertThat(registry.count(BASE)).as("back to the slow subscriber's 10m").isEqualTo(3);
  }

  @Test
  void observeResolvesOnceThenServesTheCacheUntilTheNextPoll() {
    watcher.subscribe("a", Set.of(BASE), Duration.ofMinutes(5), ANONYMOUS);
    watcher.subscribe("b", Set.of(BASE), Duration.ofMinutes(5), ANONYMOUS);
    assertThat(watcher.observe(BASE, ANONYMOUS).digest()).isEqualTo(digest("base-1"));
    assertThat(watcher.observe(BASE, ANONYMOUS).digest()).isEqualTo(digest("base-1"));
    watcher.tick();
    assertThat(registry.count(BASE)).as("the synchronous resolve counts as this interval's poll").isEqualTo(1);
  }

  @Test
  void aMovedDigestNotifiesExactlyTheSubscribersOfThatReference() {
    watcher.subscribe("on-base-1", Set.of(BASE, APP), Duration.ofMinutes(1), ANONYMOUS);
    watcher.subscribe("on-base-2", Set.of(BASE), Duration.ofMinutes(1), ANONYMOUS);
    watcher.subscribe("on-other", Set.of(OTHER_BASE), Duration.ofMinutes(1), ANONYMOUS);
    watcher.tick();
    assertThat(notified).as("first sight is not a change").isEmpty();

    registry.tags.put(BASE, digest("base-2"));
    clock.advance(Duration.ofMinutes(1));
    watcher.tick();

    assertThat(notified).containsExactly(Set.of("on-base-1", "on-base-2"));
    BaseWatcher.Observation seen = watcher.observe(BASE, ANONYMOUS);
    assertThat(seen.digest()).isEqualTo(digest("base-2"));
    assertThat(seen.firstSeen()).isEqualTo(clock.instant());
  }

  @Test
  void aNewAppReleaseNotifiesToo() {
    watcher.subscribe("slim", Set.of(BASE, APP), Duration.ofMinutes(1), ANONYMOUS);
    watcher.tick();
    registry.tags.put(APP, digest("app-2"));
    clock.advance(Duration.ofMinutes(1));
    watcher.tick();
    assertThat(notified).containsExactly(Set.of("slim"));
  }

  @Test
  void digestReferencesAreNeverPolled() {
    ImageRef pinned = BASE.withDigest(digest("base-1"));
    watcher.subscribe("slim", Set.of(pinned), Duration.ofMinutes(1), ANONYMOUS);
    watcher.tick();
    assertThat(watcher.observe(pinned, ANONYMOUS).digest()).isEqualTo(digest("base-1"));
    assertThat(registry.resolved).isEmpty();
  }

  @Test
  void retryAfterBacksOffOneRegistryWithoutDelayingOthers() {
    watcher.subscribe("a", Set.of(BASE), Duration.ofSeconds(10), ANONYMOUS);
    watcher.subscribe("b", Set.of(APP), Duration.ofSeconds(10), ANONYMOUS);
    registry.failing.put("reg-a.test", new RegistryException(RegistryException.Kind.UNREACHABLE, "reg-a.test", BASE.toString(),
        "429 Too Many Requests", null, Duration.ofSeconds(60)));
    watcher.tick();
    assertThat(registry.count(BASE)).isEqualTo(1);

    for (int s = 0; s < 59; s++) {
      clock.advance(Duration.ofSeconds(1));
      watcher.tick();
    }
    assertThat(registry.count(BASE)).as("reg-a.test left alone for its Retry-After").isEqualTo(1);
    assertThat(registry.count(APP)).as("reg-b.test polled every 10s meanwhile").isEqualTo(6);
    assertThatThrownBy(() -> watcher.observe(OTHER_BASE, ANONYMOUS))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.retryable()).isTrue());

    registry.failing.clear();
    clock.advance(Duration.ofSeconds(1));
    watcher.tick();
    assertThat(registry.count(BASE)).isEqualTo(2);
  }

  @Test
  void serverErrorsBackOffExponentiallyUpToTheCap() {
    watcher.subscribe("a", Set.of(BASE), Duration.ofSeconds(10), ANONYMOUS);
    registry.failing.put("reg-a.test", new RegistryException(RegistryException.Kind.UNREACHABLE, "reg-a.test", BASE.toString(), "503"));
    List<Long> attemptsAt = new ArrayList<>();
    long before = 0;
    for (int s = 0; s <= 1200; s++) {
      watcher.tick();
      if (registry.count(BASE) > before) {
        attemptsAt.add((long) s);
        before = registry.count(BASE);
      }
      clock.advance(Duration.ofSeconds(1));
    }
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < attemptsAt.size(); i++) {
      gaps.add(attemptsAt.get(i) - attemptsAt.get(i - 1));
    }
    assertThat(gaps).startsWith(5L, 10L, 20L, 40L, 80L, 160L).contains(300L);
    assertThat(gaps).allMatch(g -> g <= 300L);
  }

  @Test
  void aMissingTagIsReportedOnceAndCheckedEachInterval() {
    ImageRef gone = ImageRef.parse("reg-a.test/gone:latest");
    watcher.subscribe("slim", Set.of(gone), Duration.ofMinutes(1), ANONYMOUS);
    watcher.tick();
    clock.advance(Duration.ofMinutes(1));
    watcher.tick();
    assertThat(registry.count(gone)).isEqualTo(2);
    assertThat(notified).containsExactly(Set.of("slim"));
    assertThatThrownBy(() -> watcher.observe(gone, ANONYMOUS))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.kind()).isEqualTo(RegistryException.Kind.NOT_FOUND));
  }

  @Test
  void differentLoginsGetSeparateWatches() {
    RegistryCredentials alice = RegistryCredentials.fromDockerConfig(
        "{\"auths\":{\"reg-a.test\":{\"username\":\"alice\",\"password\":\"x\"}}}".getBytes(StandardCharsets.UTF_8), "test");
    watcher.subscribe("ns1/slim", Set.of(BASE), Duration.ofMinutes(1), ANONYMOUS);
    watcher.subscribe("ns2/slim", Set.of(BASE), Duration.ofMinutes(1), alice);
    watcher.subscribe("ns3/slim", Set.of(BASE), Duration.ofMinutes(1), alice);
    assertThat(watcher.size()).isEqualTo(2);
  }

  @Test
  void resubscribingDropsReferencesNoLongerUsed() {
    watcher.subscribe("slim", Set.of(BASE, APP), Duration.ofMinutes(1), ANONYMOUS);
    watcher.subscribe("slim", Set.of(OTHER_BASE, APP), Duration.ofMinutes(1), ANONYMOUS);
    assertThat(watcher.size()).isEqualTo(2);
    watcher.forget("slim");
    assertThat(watcher.size()).isZero();
  }

  static Digest digest(String content) {
    return Digest.of(content.getBytes(StandardCharsets.UTF_8));
  }
}
