package dev.slim.config;

import dev.slim.rebase.PackageDatabaseCheck;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything the operator is told by its environment, read once at start, validated, and logged.
 *
 * @param namespaces namespaces to watch; empty means all namespaces
 * @param insecureRegistries registry hosts (host or host:port) reached over plain HTTP
 * @param metricsPort port of /metrics, /healthz and /readyz; 0 picks a free port
 * @param defaultPollInterval how often a base or app tag is checked when a SlimImage does not say
 * @param minPollInterval the shortest interval honoured; shorter requests are raised to it
 * @param maxRegistryBackoff the longest a registry is left alone after 429 or 5xx
 * @param registryMaxAttempts attempts per registry request before it counts as failed
 * @param packageDatabase what a re-base does when an app layer rewrites the base's package database
 * @param leaderElection whether and how replicas elect the one that reconciles
 */
public record OperatorConfig(
    Set<String> namespaces,
    Set<String> insecureRegistries,
    int metricsPort,
    Duration defaultPollInterval,
    Duration minPollInterval,
    Duration maxRegistryBackoff,
    int registryMaxAttempts,
    PackageDatabaseCheck.Policy packageDatabase,
    LeaderElection leaderElection) {

  public static final String NAMESPACES = "SLIMIMAGE_NAMESPACES";
  public static final String INSECURE_REGISTRIES = "SLIMIMAGE_INSECURE_REGISTRIES";
  public static final String METRICS_PORT = "SLIMIMAGE_METRICS_PORT";
  public static final String DEFAULT_POLL_INTERVAL = "SLIMIMAGE_DEFAULT_POLL_INTERVAL";
  public static final String MIN_POLL_INTERVAL = "SLIMIMAGE_MIN_POLL_INTERVAL";
  public static final String MAX_REGISTRY_BACKOFF = "SLIMIMAGE_MAX_REGISTRY_BACKOFF";
  public static final String REGISTRY_MAX_ATTEMPTS = "SLIMIMAGE_REGISTRY_MAX_ATTEMPTS";
  public static final String PACKAGE_DATABASE_CHECK = "SLIMIMAGE_PACKAGE_DATABASE_CHECK";

  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]+(:[0-9]+)?|\\[[0-9a-fA-F:]+\\](:[0-9]+)?");

  public OperatorConfig {
    namespaces = Set.copyOf(namespaces);
    insecureRegistries = Set.copyOf(insecureRegistries);
    if (minPollInterval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ConfigException(MIN_POLL_INTERVAL + " must be at least 1s, got " + GoDuration.format(minPollInterval));
    }
    if (defaultPollInterval.compareTo(minPollInterval) < 0) {
      throw new ConfigException(DEFAULT_POLL_INTERVAL + "=" + GoDuration.format(defaultPollInterval)
          + " is shorter than " + MIN_POLL_INTERVAL + "=" + GoDuration.format(minPollInterval));
    }
  }

  /** Reads the process environment. */
  public static OperatorConfig fromEnv() {
    return fromEnv(System.getenv());
  }

  /** Reads the given variables, with a default for each one that is unset or blank. */
  public static OperatorConfig fromEnv(Map<String, String> env) {
    EnvReader vars = new EnvReader(env);
    return new OperatorConfig(
        vars.list(NAMESPACES, NAMESPACE, "a namespace name"),
        vars.list(INSECURE_REGISTRIES, HOST, "a registry host or host:port"),
        vars.integer(METRICS_PORT, 8080, 0, 65535),
        vars.duration(DEFAULT_POLL_INTERVAL, "5m"),
        vars.duration(MIN_POLL_INTERVAL, "10s"),
        vars.duration(MAX_REGISTRY_BACKOFF, "5m"),
        vars.integer(REGISTRY_MAX_ATTEMPTS, 4, 1, 10),
        vars.parsed(PACKAGE_DATABASE_CHECK, "warn", PackageDatabaseCheck.Policy::parse),
        LeaderElection.fromEnv(vars));
  }

  /** True when every namespace is watched. */
  public boolean allNamespaces() {
    return namespaces.isEmpty();
  }

  /** A SlimImage's requested interval, raised to the minimum; the default when it asks for none. */
  public Duration pollInterval(Duration requested) {
    if (requested == null) {
      return defaultPollInterval;
    }
    return requested.compareTo(minPollInterval) < 0 ? minPollInterval : requested;
  }

  /** One line for the start-up log; holds no secret, since the config has none. */
  public String describe() {
    return NAMESPACES + "=" + (allNamespaces() ? "(all)" : String.join(",", namespaces))
        + " " + INSECURE_REGISTRIES + "=" + String.join(",", insecureRegistries)
        + " " + METRICS_PORT + "=" + metricsPort
        + " " + DEFAULT_POLL_INTERVAL + "=" + GoDuration.format(defaultPollInterval)
        + " " + MIN_POLL_INTERVAL + "=" + GoDuration.format(minPollInterval)
        + " " + MAX_REGISTRY_BACKOFF + "=" + GoDuration.format(maxRegistryBackoff)
        + " " + REGISTRY_MAX_ATTEMPTS + "=" + registryMaxAttempts
        + " " + PACKAGE_DATABASE_CHECK + "=" + packageDatabase.name().toLowerCase(Locale.ROOT)
        + " " + leaderElection.describe();
  }
}
