package dev.slim.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * What a SlimImage asks for: the app, the base tag to follow, where results go, and which
 * workloads to pin. Intent only; everything observed lives in the status.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SlimImageSpec(
    @Required @JsonPropertyDescription("The app image as built today, and the base it was built on.") App app,
    @Required @JsonPropertyDescription("The base tag to follow; each new digest of it triggers a re-base.") Base base,
    @JsonPropertyDescription("Where re-based images are pushed; defaults to the app's repository.") Target target,
    @JsonPropertyDescription("kubernetes.io/dockerconfigjson Secrets in this namespace holding registry logins; later ones win per registry.")
        @Size(max = 10)
        List<SecretRef> registrySecrets,
    @JsonPropertyDescription("Whether pinned workloads are patched (Patch) or only reported (Off).") UpdatePolicy updatePolicy,
    @JsonPropertyDescription("Narrows which workloads in this namespace are pinned; by default every workload running the app or target repository.")
        Workloads workloads,
    @JsonPropertyDescription("When true the operator stops polling, re-basing and patching for this resource.") @Default("false")
        Boolean suspend) {

  /** A loose image-reference shape; the operator parses references fully and reports what is wrong. */
  public static final String IMAGE_PATTERN = "^[a-zA-Z0-9][a-zA-Z0-9._:/\\[\\]-]*(@sha256:[a-f0-9]{64})?$";
  /** A Go-style duration such as 30s, 5m or 1h30m. */
  public static final String DURATION_PATTERN = "^([0-9]+(ms|s|m|h))+$";

  public boolean suspended() {
    return Boolean.TRUE.equals(suspend);
  }

  public UpdatePolicy.Mode updateMode() {
    return updatePolicy == null || updatePolicy.mode() == null ? UpdatePolicy.Mode.Patch : updatePolicy.mode();
  }

  public List<SecretRef> secrets() {
    return registrySecrets == null ? List.of() : registrySecrets;
  }

  /** The app image, the base it was built on, and how to move it: re-base, or extract its files onto the new base. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "!has(self.mode) || self.mode != 'Extract' || (has(self.paths) && size(self.paths) > 0)",
      message = "mode Extract needs paths, e.g. [/app]")
  public record App(
      @Required @Pattern(IMAGE_PATTERN)
          @JsonPropertyDescription("App image reference ([registry/]repository[:tag][@sha256:digest]); a tag is watched for new releases.")
          String image,
      @Pattern(IMAGE_PATTERN)
          @JsonPropertyDescription("The base the app was built on; when empty, read from the app's org.opencontainers.image.base.name/.digest annotations. In Extract mode, the fat base whose Env is left behind.")
          String oldBase,
      @Default("Rebase")
          @JsonPropertyDescription("Rebase swaps the app's base layers for the new base's; Extract takes spec.app.paths out of the app's filesystem and builds them on the new base (a fat base to a slim one).")
          Mode mode,
      @Size(max = 32)
          @JsonPropertyDescription("Extract: absolute paths taken from the app with everything under them, one layer each, e.g. [/app].")
          List<String> paths,
      @JsonPropertyDescription("Extract: variables set on the result, overriding the app's and the base's.")
          Map<String, String> env,
      @JsonPropertyDescription("Extract: push even when the entrypoint or its interpreter is missing from the result (reported as a warning Event).")
          Boolean allowMissing) {

    /** The app and old base only: a re-base. */
    public App(String image, String oldBase) {
      this(image, oldBase, null, null, null, null);
    }

    /** How the app is moved onto the base. */
    public enum Mode { Rebase, Extract }

    public Mode modeOrDefault() {
      return mode == null ? Mode.Rebase : mode;
    }
  }

  /** The base tag to follow and how often to check it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "!has(self.pollInterval) || duration(self.pollInterval) >= duration('10s')",
      message = "pollInterval must be at least 10s")
  public record Base(
      @Required @Pattern(IMAGE_PATTERN)
          @JsonPropertyDescription("Base image tag to follow, e.g. cgr.dev/chainguard/jre:latest; one HEAD request per interval.")
          String image,
      @Pattern(DURATION_PATTERN)
          @JsonPropertyDescription("How often to check the base and app tags (e.g. 5m); defaults to SLIMIMAGE_DEFAULT_POLL_INTERVAL, at least 10s.")
          String pollInterval) {}

  /** Where re-based images go. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Target(
      @Pattern(IMAGE_PATTERN)
          @JsonPropertyDescription("Target repository, optionally with a tag; without a tag each result is tagged <app tag>-slim-<12 hex of the base digest>.")
          String image) {}

  /** A Secret in the SlimImage's own namespace. */
  public record SecretRef(
      @Required @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$") @JsonPropertyDescription("Name of a kubernetes.io/dockerconfigjson Secret in this namespace.")
          String name) {}

  /** How results reach workloads. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record UpdatePolicy(
      @Default("Patch") @JsonPropertyDescription("Patch pins matching workloads to the new digest; Off only reports them in status.")
          Mode mode) {

    /** Whether workloads are patched. */
    public enum Mode { Patch, Off }
  }

  /** Which workloads to pin. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Workloads(
      @JsonPropertyDescription("Label selector over Deployments, StatefulSets, DaemonSets and CronJobs in this namespace.")
          Selector selector) {}

  /** A label selector, as in a Deployment's spec.selector. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Selector(
      @JsonPropertyDescription("Labels a workload must carry, all of them.") Map<String, String> matchLabels,
      @JsonPropertyDescription("Set-based requirements a workload's labels must meet, all of them.") List<Requirement> matchExpressions) {}

  /** One set-based label requirement. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Requirement(
      @Required @JsonPropertyDescription("Label key the requirement applies to.") String key,
      @Required @JsonPropertyDescription("In, NotIn, Exists or DoesNotExist.") Operator operator,
      @JsonPropertyDescription("Values for In and NotIn; empty for Exists and DoesNotExist.") List<String> values) {

    /** Label selector operators. */
    public enum Operator { In, NotIn, Exists, DoesNotExist }
  }
}
