package dev.slim.reconciler;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.slim.api.v1alpha1.SlimImageSpec;
import dev.slim.api.v1alpha1.SlimImageStatus.WorkloadStatus;
import dev.slim.metrics.SlimImageMetrics;
import dev.slim.registry.ImageRef;
import dev.slim.registry.InvalidReferenceException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Finds the workload containers that run an app or its re-based image and pins them to one
 * digest. Only the image field changes: a JSON patch on the exact container index, guarded by a
 * {@code test} of the container name, so fields of other managers stay and a reordered pod
 * spec fails safely instead of patching the wrong container.
 */
public class WorkloadPatcher {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One matching container and whether it runs the pinned image. */
  public record Match(WorkloadKind kind, String name, String container, boolean init, int index, String image, boolean upToDate) {
    WorkloadStatus toStatus() {
      return new WorkloadStatus(kind.kind(), name, container, upToDate);
    }
  }

  /** A workload the operator could not patch, and why (403: what RBAC must allow). */
  public record Failure(WorkloadKind kind, String name, int code, String message) {
    public String describe() {
      return kind.kind() + " " + name + ": " + message;
    }
  }

  /** Every matching container after patching, the workloads pinned now, and those that failed. */
  public record Report(List<Match> containers, List<String> pinned, List<Failure> failures) {
    public int behind() {
      return (int) containers.stream().filter(m -> !m.upToDate()).count();
    }

    public boolean forbidden() {
      return failures.stream().anyMatch(f -> f.code() == 403);
    }

    /** The status list: bounded, containers behind first, then by kind and name for stable output. */
    public List<WorkloadStatus> statuses(int max) {
      return containers.stream()
          .sorted(Comparator.comparing(Match::upToDate)
              .thenComparing(m -> m.kind().kind())
              .thenComparing(Match::name)
              .thenComparing(Match::container))
          .limit(max)
          .map(Match::toStatus)
          .toList();
    }
  }

  private final KubernetesClient client;
  private final SlimImageMetrics metrics;

  public WorkloadPatcher(KubernetesClient client, SlimImageMetrics metrics) {
    this.client = client;
    this.metrics = metrics;
  }

  /** The field manager the API server records for the image fields we own, e.g. in managedFields. */
  public static final String FIELD_MANAGER = "slimimage-operator";

  private static final PatchContext PATCH =
      new PatchContext.Builder().withPatchType(PatchType.JSON).withFieldManager(FIELD_MANAGER).build();

  /**
   * @param repositories containers whose image is in one of these repositories (registry/repo) match
   * @param pinned the image to pin, or null when none is ready (only report)
   * @param patch false to only report (updatePolicy Off)
   */
  public Report pin(String namespace, SlimImageSpec.Workloads workloads, Set<String> repositories, String pinned, boolean patch) {
    LabelSelector selector = toSelector(workloads == null ? null : workloads.selector());
    List<Match> all = new ArrayList<>();
    List<String> pinnedNow = new ArrayList<>();
    List<Failure> failures = new ArrayList<>();
    for (WorkloadKind kind : WorkloadKind.values()) {
      var op = client.resources(kind.type()).inNamespace(namespace);
      List<? extends HasMetadata> items = selector == null ? op.list().getItems() : op.withLabelSelector(selector).list().getItems();
      for (HasMetadata w : items) {
        List<Match> matches = matches(kind, w, repositories, pinned);
        List<Match> stale = matches.stream().filter(m -> !m.upToDate()).toList();
        if (!patch || pinned == null || stale.isEmpty()) {
          all.addAll(matches);
          continue;
        }
        String name = w.getMetadata().getName();
        try {
          client.resources(kind.type()).inNamespace(namespace).withName(name)
              .patch(PATCH, jsonPatch(kind, stale, pinned));
          metrics.workloadPatch(kind.kind(), SlimImageMetrics.SUCCEEDED);
          pinnedNow.add(kind.kind() + "/" + name);
          matches.forEach(m -> all.add(m.upToDate() ? m : pinnedMatch(m, pinned)));
        } catch (KubernetesClientException e) {
          metrics.workloadPatch(kind.kind(), e.getCode() == 403 ? SlimImageMetrics.FORBIDDEN : SlimImageMetrics.FAILED);
          if (e.getCode() != 404) {
            failures.add(new Failure(kind, name, e.getCode(), e.getCode() == 403
                ? "forbidden: the operator's ServiceAccount needs patch on " + kind.type().getSimpleName().toLowerCase() + "s in " + namespace
                : "patch failed (HTTP " + e.getCode() + "): " + (e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage())));
            all.addAll(matches);
          }
        }
      }
    }
    return new Report(all, pinnedNow, failures);
  }

  private static Match pinnedMatch(Match m, String pinned) {
    return new Match(m.kind(), m.name(), m.container(), m.init(), m.index(), pinned, true);
  }

  static List<Match> matches(WorkloadKind kind, HasMetadata w, Set<String> repositories, String pinned) {
    List<Match> out = new ArrayList<>();
    PodSpec pod = kind.podSpec(w).orElse(null);
    if (pod == null) {
      return out;
    }
    collect(kind, w, pod.getContainers(), false, repositories, pinned, out);
    collect(kind, w, pod.getInitContainers(), true, repositories, pinned, out);
    return out;
  }

  private static void collect(WorkloadKind kind, HasMetadata w, List<Container> containers, boolean init,
      Set<String> repositories, String pinned, List<Match> out) {
    if (containers == null) {
      return;
    }
    for (int i = 0; i < containers.size(); i++) {
      Container c = containers.get(i);
      if (c.getImage() == null || !repositories.contains(repositoryOf(c.getImage()))) {
        continue;
      }
      out.add(new Match(kind, w.getMetadata().getName(), c.getName(), init, i, c.getImage(), c.getImage().equals(pinned)));
    }
  }

  /** The repository a container image is in, or "" when the image is not a valid reference. */
  static String repositoryOf(String image) {
    try {
      return ImageRef.parse(image).repositoryName();
    } catch (InvalidReferenceException e) {
      return "";
    }
  }

  static String jsonPatch(WorkloadKind kind, List<Match> stale, String pinned) {
    ArrayNode ops = JSON.createArrayNode();
    for (Match m : stale) {
      String path = kind.podSpecPath() + (m.init() ? "/initContainers/" : "/containers/") + m.index();
      ops.addObject().put("op", "test").put("path", path + "/name").put("value", m.container());
      ops.addObject().put("op", "replace").put("path", path + "/image").put("value", pinned);
    }
    return ops.toString();
  }

  static LabelSelector toSelector(SlimImageSpec.Selector s) {
    if (s == null || (s.matchLabels() == null || s.matchLabels().isEmpty())
        && (s.matchExpressions() == null || s.matchExpressions().isEmpty())) {
      return null;
    }
    LabelSelectorBuilder b = new LabelSelectorBuilder();
    if (s.matchLabels() != null) {
      b.withMatchLabels(s.matchLabels());
    }
    if (s.matchExpressions() != null) {
      s.matchExpressions().forEach(r -> b.addToMatchExpressions(new LabelSelectorRequirement(
          r.key(), r.operator() == null ? null : r.operator().name(), r.values())));
    }
    return b.build();
  }
}
