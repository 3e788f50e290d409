package dev.slim.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Optional;

/**
 * What the operator observed and did for one SlimImage. Kept small: digests, conditions, a
 * bounded workload list, no history.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SlimImageStatus(
    @JsonPropertyDescription("metadata.generation of the spec this status describes.") Long observedGeneration,
    @JsonPropertyDescription("Ready, BaseResolved, Rebased, WorkloadsUpdated and Stalled.") List<Condition> conditions,
    @JsonPropertyDescription("The base tag's newest digest and when it was first seen.") BaseStatus base,
    @JsonPropertyDescription("The newest re-based image, pushed and read back.") ImageStatus image,
    @JsonPropertyDescription("Matching workload containers (at most 50, those behind first).") List<WorkloadStatus> workloads,
    @JsonPropertyDescription("How many matching workload containers do not run the newest image.") Integer workloadsBehind,
    @JsonPropertyDescription("When the newest base was first seen, while any workload is behind; empty when none is.") String driftSince,
    @JsonPropertyDescription("The last re-base attempt: its inputs, outcome and cost.") LastRebase lastRebase) {

  /** At most this many workload containers are listed, so the status stays small. */
  public static final int MAX_WORKLOADS = 50;

  public static SlimImageStatus empty() {
    return new SlimImageStatus(null, List.of(), null, null, null, null, null, null);
  }

  public Optional<Condition> condition(String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.type())).findFirst();
  }

  /** The base tag as last resolved. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record BaseStatus(
      @JsonPropertyDescription("The base image tag followed.") String image,
      @JsonPropertyDescription("The digest the tag points to now.") String digest,
      @JsonPropertyDescription("First 12 hex digits of the digest, for kubectl get.") String shortDigest,
      @JsonPropertyDescription("When the operator first saw this digest (RFC 3339).") String detectedAt) {}

  /** The re-based image workloads are pinned to. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ImageStatus(
      @JsonPropertyDescription("Pinned reference: <target repository>:<tag>@sha256:<digest>.") String ref,
      @JsonPropertyDescription("Digest of the pushed manifest or index, as read back from the registry.") String digest,
      @JsonPropertyDescription("First 12 hex digits of the digest, for kubectl get.") String shortDigest,
      @JsonPropertyDescription("The base digest this image sits on.") String baseDigest,
      @JsonPropertyDescription("The app digest this image was made from.") String appDigest,
      @JsonPropertyDescription("When the image was pushed (RFC 3339).") String rebasedAt,
      @JsonPropertyDescription("Extract mode: what the image saved against the app as built.") Savings savings) {

    public ImageStatus(String ref, String digest, String shortDigest, String baseDigest, String appDigest, String rebasedAt) {
      this(ref, digest, shortDigest, baseDigest, appDigest, rebasedAt, null);
    }
  }

  /** An extracted image against the app it came from: sizes, layers, OS packages. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Savings(
      @JsonPropertyDescription("The app image as built on its fat base.") SavingsStage original,
      @JsonPropertyDescription("The pushed image on the slim base.") SavingsStage slim,
      @JsonPropertyDescription("How many OS packages the slim image no longer has.") Integer packagesRemovedCount,
      @JsonPropertyDescription("The first removed package names, sorted (at most 20; the CLI lists all).") List<String> packagesRemoved) {

    /** At most this many names are kept in the status. */
    public static final int MAX_NAMES = 20;
  }

  /** One side of {@link Savings}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SavingsStage(
      @JsonPropertyDescription("Sum of the layers' compressed sizes in bytes.") Long compressedBytes,
      @JsonPropertyDescription("Number of layers.") Integer layers,
      @JsonPropertyDescription("Installed OS packages (dpkg, apk); absent when unknown (an rpm database).") Integer packages) {}

  /** One container of a matching workload. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record WorkloadStatus(
      @JsonPropertyDescription("Deployment, StatefulSet, DaemonSet or CronJob.") String kind,
      @JsonPropertyDescription("Workload name in this namespace.") String name,
      @JsonPropertyDescription("Container or init container name.") String container,
      @JsonPropertyDescription("True when the container runs the newest re-based image.") Boolean upToDate) {}

  /** The inputs and result of the last re-base attempt, so a failed one is not repeated in a loop. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LastRebase(
      @JsonPropertyDescription("metadata.generation of the spec used.") Long generation,
      @JsonPropertyDescription("Base digest used.") String baseDigest,
      @JsonPropertyDescription("App digest used.") String appDigest,
      @JsonPropertyDescription("Succeeded or Failed.") String outcome,
      @JsonPropertyDescription("Wall time of the re-base in milliseconds.") Long durationMillis,
      @JsonPropertyDescription("Bytes sent to the target registry.") Long bytesUploaded) {

    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";
  }
}
