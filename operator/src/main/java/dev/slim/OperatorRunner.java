package dev.slim;

import dev.slim.api.v1alpha1.SlimImage;
import dev.slim.config.OperatorConfig;
import dev.slim.metrics.MetricsServer;
import dev.slim.metrics.SlimImageMetrics;
import dev.slim.rebase.PackageDatabaseCheck;
import dev.slim.reconciler.EventRecorder;
import dev.slim.reconciler.ImagePublisher;
import dev.slim.reconciler.SecretCredentials;
import dev.slim.reconciler.SlimImageParts;
import dev.slim.reconciler.SlimImageReconciler;
import dev.slim.reconciler.StatusFactory;
import dev.slim.reconciler.WorkloadPatcher;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.RegistryCredentials;
import dev.slim.registry.RegistryOptions;
import dev.slim.registry.jib.JibImageRegistry;
import dev.slim.registry.jib.JibLayeredImageBuilder;
import dev.slim.watch.BaseWatchEventSource;
import dev.slim.watch.BaseWatcher;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires and runs the operator: the Kubernetes client from the current kubeconfig or the
 * in-cluster service account, the shared base watcher, the SlimImage controller, and the
 * metrics/health server. {@link #run} is what {@code slimimage run} calls.
 */
public final class OperatorRunner {

  private static final Logger LOG = LoggerFactory.getLogger(OperatorRunner.class);
  private static final Duration TICK = Duration.ofSeconds(1);

  /** Builds the registry client for one set of credentials; production passes JibImageRegistry::new. */
  @FunctionalInterface
  public interface RegistryFactory {
    ImageRegistry create(RegistryCredentials credentials, RegistryOptions options);
  }

  private OperatorRunner() {}

  /** {@code slimimage run}: the operator with the production registry client, until SIGTERM. */
  public static void run(OperatorConfig config) throws IOException, InterruptedException {
    run(config, JibImageRegistry::new);
  }

  /** Runs until the JVM is asked to stop (SIGTERM, Ctrl-C), then shuts down in order. */
  public static void run(OperatorConfig config, RegistryFactory registries) throws IOException, InterruptedException {
    LOG.info("starting slimimage operator: {}", config.describe());
    KubernetesClient client = new KubernetesClientBuilder().build();
    RunningOperator running = start(config, client, registries, Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("stopping slimimage operator");
      running.close();
      client.close();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
  }

  /** Starts everything and returns at once; the caller closes the result. Used by run and by tests. */
  public static RunningOperator start(OperatorConfig config, KubernetesClient client, RegistryFactory registries, Clock clock)
      throws IOException {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SlimImageMetrics metrics = new SlimImageMetrics(meters, clock);
    RegistryOptions options = new RegistryOptions(config.insecureRegistries(), config.registryMaxAttempts(),
        Duration.ofSeconds(30), metrics);
    Function<RegistryCredentials, ImageRegistry> registryFor = credentials -> registries.create(credentials, options);

    AtomicInteger threads = new AtomicInteger();
    ExecutorService checks = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "base-watcher-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    BaseWatcher<ResourceID> watcher = new BaseWatcher<>(registryFor, clock, checks, config.maxRegistryBackoff());
    BaseWatchEventSource events = new BaseWatchEventSource(watcher, TICK,
        id -> metrics.forget(id.getNamespace().orElse(""), id.getName()));
    EventRecorder recorder = new EventRecorder(client, clock);
    SlimImageParts parts = new SlimImageParts(config, watcher, new SecretCredentials(client),
        new ImagePublisher(registryFor, credentials -> new JibLayeredImageBuilder(credentials, options),
            new PackageDatabaseCheck(config.packageDatabase()), metrics, recorder, clock), new WorkloadPatcher(client, metrics), recorder,
        new StatusFactory(clock), metrics, clock);

    LeaderLease lease = config.leaderElection().enabled()
        ? new LeaderLease(config.leaderElection(), LeaderLease.identity(System.getenv()), meters)
        : null;
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(meters))
          // Merge patches of our own status subresource: works on every API server, including the
          // fabric8 mock, which answers server-side apply with 415.
          .withUseSSAToPatchPrimaryResource(false);
      // JOSDK starts the informers on every replica (a standby is ready and warm) but reconciles
      // only on the Lease holder.
      if (lease != null) {
        o.withLeaderElectionConfiguration(lease.josdk());
      }
    });
    operator.register(new SlimImageReconciler(parts, List.of(events)), c -> {
      if (config.allNamespaces()) {
        c.watchingAllNamespaces();
      } else {
        c.settingNamespaces(config.namespaces());
      }
      // Unreachable registries are retried for as long as it takes, never faster than every 5 minutes at the end.
      c.withRetry(new GenericRetry().setInitialInterval(2000).setIntervalMultiplier(2).setMaxInterval(300_000)
          .withoutMaxAttempts());
    });
    AtomicBoolean started = new AtomicBoolean();
    MetricsServer server = new MetricsServer(config.metricsPort(), meters,
        () -> started.get() && operator.getRuntimeInfo().allEventSourcesAreHealthy());
    try {
      operator.start();
    } catch (RuntimeException e) {
      server.close();
      checks.shutdownNow();
      throw e;
    }
    started.set(true);
    LOG.info("slimimage operator started; metrics on :{}/metrics", server.port());
    return new RunningOperator(operator, server, checks, meters, lease, client);
  }

  /** A started operator: its metrics port and registry, and an orderly stop. */
  public record RunningOperator(Operator operator, MetricsServer server, ExecutorService checks, PrometheusMeterRegistry meters,
      LeaderLease lease, KubernetesClient client) implements AutoCloseable {

    public int metricsPort() {
      return server.port();
    }

    @Override
    public void close() {
      if (lease != null) {
        lease.stopping();
      }
      operator.stop();
      if (lease != null) {
        lease.release(client);
      }
      checks.shutdownNow();
      server.close();
      meters.close();
    }
  }
}
