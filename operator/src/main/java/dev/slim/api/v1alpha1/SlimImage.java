package dev.slim.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** An app image kept re-based on the newest digest of a base tag, and the workloads pinned to it. */
@Group(SlimImage.GROUP)
@Version(SlimImage.VERSION)
@Kind("SlimImage")
@Plural("slimimages")
@Singular("slimimage")
@ShortNames("slim")
@AdditionalPrinterColumn(name = "Base", jsonPath = ".status.base.shortDigest", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Image", jsonPath = ".status.image.shortDigest", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Behind", jsonPath = ".status.workloadsBehind", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Drift", jsonPath = ".status.driftSince", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class SlimImage extends CustomResource<SlimImageSpec, SlimImageStatus> implements Namespaced {
  public static final String GROUP = "slim.dev";
  public static final String VERSION = "v1alpha1";

  // Overridden only to give kubectl explain a description of the two halves.
  @Override
  @JsonPropertyDescription("Intent: the app, the base tag to follow, the target and which workloads to pin.")
  public SlimImageSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("Observation: resolved digests, the pushed image, workloads and conditions.")
  public SlimImageStatus getStatus() {
    return super.getStatus();
  }
}
