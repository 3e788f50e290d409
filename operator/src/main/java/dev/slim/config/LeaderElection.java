package dev.slim.config;

import java.time.Duration;
import java.util.Map;

/**
 * Whether replicas elect a leader through a coordination.k8s.io Lease, and its timing: only the
 * holder reconciles; a standby takes over at most {@code leaseDuration} (plus one retry) after the
 * holder stops renewing.
 *
 * @param leaseNamespace where the Lease lives: SLIMIMAGE_LEASE_NAMESPACE, else POD_NAMESPACE (downward API)
 */
public record LeaderElection(
    boolean enabled, String leaseName, String leaseNamespace, Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {

  public static final String ENABLED = "SLIMIMAGE_LEADER_ELECTION";
  public static final String LEASE_NAME = "SLIMIMAGE_LEASE_NAME";
  public static final String LEASE_NAMESPACE = "SLIMIMAGE_LEASE_NAMESPACE";
  public static final String POD_NAMESPACE = "POD_NAMESPACE";
  public static final String LEASE_DURATION = "SLIMIMAGE_LEASE_DURATION";
  public static final String RENEW_DEADLINE = "SLIMIMAGE_LEASE_RENEW_DEADLINE";
  public static final String RETRY_PERIOD = "SLIMIMAGE_LEASE_RETRY_PERIOD";

  public LeaderElection {
    if (enabled) {
      if (leaseNamespace == null || leaseNamespace.isBlank()) {
        throw new ConfigException(ENABLED + "=true needs the Lease's namespace: set " + POD_NAMESPACE
            + " from the downward API (deploy/05-deployment.yaml does) or " + LEASE_NAMESPACE);
      }
      // The client-go rules: a leader must give up before anyone may take over, and retry within that.
      if (leaseDuration.compareTo(renewDeadline) <= 0 || renewDeadline.compareTo(retryPeriod) <= 0) {
        throw new ConfigException(LEASE_DURATION + " > " + RENEW_DEADLINE + " > " + RETRY_PERIOD + " must hold, got "
            + GoDuration.format(leaseDuration) + ", " + GoDuration.format(renewDeadline) + ", " + GoDuration.format(retryPeriod));
      }
    }
  }

  /** No election: this replica reconciles (one replica, or a developer's machine). */
  public static LeaderElection disabled() {
    return new LeaderElection(false, "slimimage-operator", null, Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
  }

  /** Reads the variables above; defaults are client-go's (15s, 10s, 2s). */
  public static LeaderElection fromEnv(Map<String, String> env) {
    return fromEnv(new EnvReader(env));
  }

  static LeaderElection fromEnv(EnvReader vars) {
    return new LeaderElection(vars.bool(ENABLED, false),
        vars.string(LEASE_NAME, "slimimage-operator"),
        vars.string(LEASE_NAMESPACE, vars.value(POD_NAMESPACE)),
        vars.duration(LEASE_DURATION, "15s"),
        vars.duration(RENEW_DEADLINE, "10s"),
        vars.duration(RETRY_PERIOD, "2s"));
  }

  /** For the start-up log line. */
  public String describe() {
    return !enabled ? ENABLED + "=false"
        : ENABLED + "=true lease=" + leaseNamespace + "/" + leaseName + " " + LEASE_DURATION + "=" + GoDuration.format(leaseDuration)
            + " " + RENEW_DEADLINE + "=" + GoDuration.format(renewDeadline) + " " + RETRY_PERIOD + "=" + GoDuration.format(retryPeriod);
  }
}
