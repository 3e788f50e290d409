package dev.slim;

import dev.slim.config.LeaderElection;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's part in leader election: JOSDK's configuration with a known identity, a
 * {@code slimimage_leader} gauge, an exit when the Lease is lost against our will (the pod
 * restarts as a standby; JOSDK cannot resume reconciling), and on a deliberate stop a release
 * of the Lease, so a standby takes over at its next retry instead of after the lease duration.
 */
public final class LeaderLease {

  private static final Logger LOG = LoggerFactory.getLogger(LeaderLease.class);

  private final LeaderElection settings;
  private final String identity;
  private final AtomicBoolean leading = new AtomicBoolean();
  private final AtomicBoolean stopping = new AtomicBoolean();

  public LeaderLease(LeaderElection settings, String identity, MeterRegistry meters) {
    this.settings = settings;
    this.identity = identity;
    Gauge.builder("slimimage.leader", leading, l -> l.get() ? 1 : 0)
        .description("1 while this replica holds the leader Lease and reconciles, else 0")
        .register(meters);
  }

  /** The pod name (HOSTNAME in a pod), else a random id: two replicas must never share one. */
  public static String identity(Map<String, String> env) {
    String host = env.get("HOSTNAME");
    return host == null || host.isBlank() ? "slimimage-" + UUID.randomUUID() : host;
  }

  public String identity() {
    return identity;
  }

  /** For JOSDK; exits are ours to decide (see the class comment), so JOSDK's own exit is off. */
  public LeaderElectionConfiguration josdk() {
    return new LeaderElectionConfiguration(settings.leaseName(), settings.leaseNamespace(), settings.leaseDuration(),
        settings.renewDeadline(), settings.retryPeriod(), identity,
        new LeaderCallbacks(this::started, this::stopped, leader -> LOG.info("leader is now {}", leader)), false);
  }

  /** Call before stopping the operator: from then on, giving up the Lease is expected. */
  public void stopping() {
    stopping.set(true);
  }

  /** Clears the holder when it is still this replica (update, not patch: the Role grants get/create/update). */
  public void release(KubernetesClient client) {
    try {
      Lease lease = client.leases().inNamespace(settings.leaseNamespace()).withName(settings.leaseName()).get();
      if (lease == null || lease.getSpec() == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
        return;
      }
      lease.getSpec().setHolderIdentity(null);
      client.resource(lease).update();
      LOG.info("released Lease {}/{}", settings.leaseNamespace(), settings.leaseName());
    } catch (KubernetesClientException e) {
      // A standby then takes over after the lease duration, as after a crash.
      LOG.warn("could not release Lease {}/{}: {}", settings.leaseNamespace(), settings.leaseName(), e.getMessage());
    }
  }

  private void started() {
    leading.set(true);
    LOG.info("{} holds Lease {}/{}: reconciling", identity, settings.leaseNamespace(), settings.leaseName());
  }

  private void stopped() {
    leading.set(false);
    if (!stopping.get()) {
      LOG.error("{} lost Lease {}/{}; exiting so the pod restarts as a standby", identity, settings.leaseNamespace(), settings.leaseName());
      System.exit(1);
    }
  }
}
