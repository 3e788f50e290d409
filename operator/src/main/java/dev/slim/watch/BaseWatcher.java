package dev.slim.watch;

import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.RegistryCredentials;
import dev.slim.registry.RegistryException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls each distinct image reference once per interval, however many SlimImages follow it, and
 * says which subscribers to reconcile when its digest moves. Only HEAD requests (resolve), never
 * tag listings. A registry that answers 429 or 5xx is left alone for a while (its Retry-After,
 * else exponential backoff) while other registries are polled as usual: each registry's checks
 * run as their own task on the executor.
 *
 * <p>Time comes from the injected {@link Clock} and work is started by {@link #tick()}, so tests
 * drive it with a fake clock and a direct executor; production calls {@code tick()} every second.
 *
 * @param <S> subscriber identity, e.g. a JOSDK ResourceID
 */
public class BaseWatcher<S> {

  private static final Logger LOG = LoggerFactory.getLogger(BaseWatcher.class);
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(5);

  /** A digest and when this watcher first saw the reference point to it. */
  public record Observation(Digest digest, Instant firstSeen) {}

  /** Hears about references whose digest moved (or that started or stopped failing). */
  @FunctionalInterface
  public interface Listener<S> {
    void changed(ImageRef ref, Set<S> subscribers);
  }

  /**
   * What is polled: one reference as seen with one login. SlimImages that reach the same
   * reference with different logins get separate watches, so no namespace learns a digest
   * through another namespace's credentials.
   */
  private record WatchKey(ImageRef ref, RegistryCredentials.Login login) {}

  private static final class Watch {
    final WatchKey key;
    final ImageRegistry registry;
    final Map<Object, Duration> subscribers = new LinkedHashMap<>();
    Observation observation;
    RegistryException error;
    Instant nextCheck;

    Watch(WatchKey key, ImageRegistry registry, Instant now) {
      this.key = key;
      this.registry = registry;
      this.nextCheck = now;
    }

    Duration interval() {
      return subscribers.values().stream().min(Duration::compareTo).orElse(Duration.ofMinutes(5));
    }
  }

  private static final class Backoff {
    int failures;
    Instant until = Instant.MIN;
    boolean busy;
  }

  private final Function<RegistryCredentials, ImageRegistry> registries;
  private final Clock clock;
  private final Executor executor;
  private final Duration maxBackoff;
  private final Map<WatchKey, Watch> watches = new HashMap<>();
  private final Map<S, Set<WatchKey>> bySubscriber = new HashMap<>();
  private final Map<String, Backoff> hosts = new HashMap<>();
  private volatile Listener<S> listener = (ref, subscribers) -> {};

  public BaseWatcher(
      Function<RegistryCredentials, ImageRegistry> registries, Clock clock, Executor executor, Duration maxBackoff) {
    this.registries = registries;
    this.clock = clock;
    this.executor = executor;
    this.maxBackoff = maxBackoff;
  }

  public void setListener(Listener<S> listener) {
    this.listener = Objects.requireNonNull(listener);
  }

  /**
   * Makes {@code subscriber} follow exactly these references (replacing what it followed
   * before) at most {@code interval} apart. References by digest never change and are skipped.
   */
  public synchronized void subscribe(S subscriber, Set<ImageRef> refs, Duration interval, RegistryCredentials credentials) {
    Set<WatchKey> keys = new HashSet<>();
    for (ImageRef ref : refs) {
      if (ref.digest() != null) {
        continue;
      }
      WatchKey key = key(ref, credentials);
      keys.add(key);
      Watch w = watches.computeIfAbsent(key, k -> new Watch(k, registries.apply(credentials), clock.instant()));
      w.subscribers.put(subscriber, interval);
      // A shorter interval takes effect now, not after the longer one runs out.
      Instant soonest = w.observation == null ? w.nextCheck : clock.instant().plus(w.interval());
      if (soonest.isBefore(w.nextCheck)) {
        w.nextCheck = soonest;
      }
    }
    Set<WatchKey> previous = bySubscriber.put(subscriber, keys);
    if (previous != null) {
      previous.stream().filter(k -> !keys.contains(k)).forEach(k -> unsubscribe(subscriber, k));
    }
  }

  /** Stops following everything for this subscriber, e.g. when its SlimImage is deleted. */
  public synchronized void forget(S subscriber) {
    Set<WatchKey> keys = bySubscriber.remove(subscriber);
    if (keys != null) {
      keys.forEach(k -> unsubscribe(subscriber, k));
    }
  }

  /** How many distinct references are being polled. */
  public synchronized int size() {
    return watches.size();
  }

  /**
   * The digest {@code ref} points to, from the last poll; resolved now (and counted as this
   * interval's poll) when it was never resolved. A digest reference is returned as it is.
   *
   * @throws RegistryException when the registry is backing off, unreachable, or said no
   */
  public Observation observe(ImageRef ref, RegistryCredentials credentials) {
    if (ref.digest() != null) {
      return new Observation(ref.digest(), null);
    }
    WatchKey key = key(ref, credentials);
    ImageRegistry registry;
    boolean adHoc;
    synchronized (this) {
      Watch w = watches.get(key);
      if (w != null && w.error != null) {
        throw w.error;
      }
      if (w != null && w.observation != null) {
        return w.observation;
      }
      Backoff b = hosts.get(ref.registry());
      if (b != null && b.until.isAfter(clock.instant())) {
        throw new RegistryException(RegistryException.Kind.UNREACHABLE, ref.registry(), ref.toString(),
            ref.registry() + " asked us to back off until " + b.until);
      }
      adHoc = w == null;
      registry = adHoc ? registries.apply(credentials) : w.registry;
    }
    Digest digest;
    try {
      digest = resolve(registry, ref);
    } finally {
      if (adHoc) {
        close(registry);
      }
    }
    synchronized (this) {
      Instant now = clock.instant();
      Watch w = watches.get(key);
      Observation seen = new Observation(digest, now);
      if (w != null) {
        if (w.observation == null || !w.observation.digest().equals(digest)) {
          w.observation = seen;
        }
        w.nextCheck = now.plus(w.interval());
        return w.observation;
      }
      return seen;
    }
  }

  /** Starts a check of every due reference whose registry is not backing off or busy. */
  public void tick() {
    Map<String, List<Watch>> due = new LinkedHashMap<>();
    synchronized (this) {
      Instant now = clock.instant();
      for (Watch w : watches.values()) {
        if (w.nextCheck.isAfter(now)) {
          continue;
        }
        Backoff b = hosts.computeIfAbsent(w.key.ref().registry(), h -> new Backoff());
        if (b.busy || b.until.isAfter(now)) {
          continue;
        }
        due.computeIfAbsent(w.key.ref().registry(), h -> new ArrayList<>()).add(w);
      }
      due.keySet().forEach(h -> hosts.get(h).busy = true);
    }
    due.forEach((host, list) -> executor.execute(() -> checkAll(host, list)));
  }

  /** Checks one registry's due references in turn; stops at the first sign it is overloaded. */
  private void checkAll(String host, List<Watch> list) {
    try {
      for (Watch w : list) {
        if (!check(host, w)) {
          return;
        }
      }
    } finally {
      synchronized (this) {
        hosts.get(host).busy = false;
      }
    }
  }

  private boolean check(String host, Watch w) {
    Digest digest;
    try {
      digest = resolve(w.registry, w.key.ref());
    } catch (RegistryException e) {
      return failed(host, w, e);
    } catch (RuntimeException e) {
      // An adapter bug must not stop polling for everyone else.
      LOG.warn("resolving {} failed unexpectedly", w.key.ref(), e);
      return failed(host, w, new RegistryException(RegistryException.Kind.UNREACHABLE, host, w.key.ref().toString(),
          String.valueOf(e.getMessage()), e));
    }
    Set<S> notify;
    synchronized (this) {
      Instant now = clock.instant();
      Backoff b = hosts.get(host);
      b.failures = 0;
      b.until = Instant.MIN;
      w.nextCheck = now.plus(w.interval());
      boolean moved = w.observation != null && !w.observation.digest().equals(digest);
      boolean recovered = w.error != null;
      if (w.observation == null || moved) {
        w.observation = new Observation(digest, now);
      }
      w.error = null;
      notify = moved || recovered ? subscribersOf(w) : Set.of();
    }
    if (!notify.isEmpty()) {
      LOG.info("{} now points to {}; reconciling {} SlimImage(s)", w.key.ref(), digest, notify.size());
      listener.changed(w.key.ref(), notify);
    }
    return true;
  }

  private boolean failed(String host, Watch w, RegistryException e) {
    if (e.retryable()) {
      synchronized (this) {
        Backoff b = hosts.get(host);
        b.failures++;
        Duration exponential = FIRST_BACKOFF.multipliedBy(1L << Math.min(b.failures - 1, 16));
        Duration wait = e.retryAfter().orElse(exponential);
        if (wait.compareTo(maxBackoff) > 0) {
          wait = maxBackoff;
        }
        b.until = clock.instant().plus(wait);
        LOG.warn("{} unreachable ({}); leaving it alone for {}", host, e.getMessage(), dev.slim.config.GoDuration.format(wait));
      }
      return false;
    }
    // Not found or unauthorized: a human must act; check again next interval, tell subscribers once.
    Set<S> notify;
    synchronized (this) {
      boolean isNew = w.error == null || w.error.kind() != e.kind();
      w.error = e;
      w.nextCheck = clock.instant().plus(w.interval());
      notify = isNew ? subscribersOf(w) : Set.of();
    }
    if (!notify.isEmpty()) {
      listener.changed(w.key.ref(), notify);
    }
    return true;
  }

  @SuppressWarnings("unchecked")
  private Set<S> subscribersOf(Watch w) {
    Set<S> s = new HashSet<>();
    w.subscribers.keySet().forEach(k -> s.add((S) k));
    return s;
  }

  private void unsubscribe(S subscriber, WatchKey key) {
    Watch w = watches.get(key);
    if (w != null) {
      w.subscribers.remove(subscriber);
      if (w.subscribers.isEmpty()) {
        watches.remove(key);
        close(w.registry);
      }
    }
  }

  /** Registry clients may hold HTTP transports; close one when nothing polls through it any more. */
  private static void close(ImageRegistry registry) {
    try {
      registry.close();
    } catch (RuntimeException e) {
      LOG.debug("closing a registry client: {}", e.toString());
    }
  }

  private static Digest resolve(ImageRegistry registry, ImageRef ref) {
    return registry.resolve(ref);
  }

  private static WatchKey key(ImageRef ref, RegistryCredentials credentials) {
    return new WatchKey(ref, credentials.forRegistry(ref.registry()).orElse(null));
  }
}
