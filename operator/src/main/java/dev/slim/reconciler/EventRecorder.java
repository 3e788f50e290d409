package dev.slim.reconciler;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Kubernetes Events on a SlimImage (kubectl describe shows them). An Event that cannot
 * be written is logged and dropped: it must never fail a reconcile.
 */
public class EventRecorder {

  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";
  public static final String REBASED = "Rebased";
  public static final String REBASE_FAILED = "RebaseFailed";
  /** Extract mode pushed an image the user should look at: allowMissing overrides, dropped file modes. */
  public static final String SHRINK_WARNING = "ShrinkWarning";
  /** A re-base that was done but deserves a look, e.g. an app layer rewriting the package database. */
  public static final String REBASE_WARNING = "RebaseWarning";
  public static final String WORKLOAD_PINNED = "WorkloadPinned";
  public static final String PATCH_FAILED = "PatchFailed";
  static final String COMPONENT = "slimimage-operator";

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

  private final KubernetesClient client;
  private final Clock clock;

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public void normal(HasMetadata about, String reason, String message) {
    record(about, NORMAL, reason, message);
  }

  public void warning(HasMetadata about, String reason, String message) {
    record(about, WARNING, reason, message);
  }

  private void record(HasMetadata about, String type, String reason, String message) {
    String now = DateTimeFormatter.ISO_INSTANT.format(clock.instant());
    String namespace = about.getMetadata().getNamespace();
    try {
      client.v1().events().inNamespace(namespace).resource(new EventBuilder()
          .withNewMetadata()
            .withName(about.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 13).replace("-", ""))
            .withNamespace(namespace)
          .endMetadata()
          .withInvolvedObject(new ObjectReferenceBuilder()
              .withApiVersion(about.getApiVersion())
              .withKind(about.getKind())
              .withName(about.getMetadata().getName())
              .withNamespace(namespace)
              .withUid(about.getMetadata().getUid())
              .build())
          .withType(type)
          .withReason(reason)
          .withMessage(message.length() > 1024 ? message.substring(0, 1024) : message)
          .withFirstTimestamp(now)
          .withLastTimestamp(now)
          .withCount(1)
          .withNewSource().withComponent(COMPONENT).endSource()
          .withReportingComponent(COMPONENT)
          .build()).create();
    } catch (KubernetesClientException e) {
      LOG.debug("could not record event {} on {}/{}: {}", reason, namespace, about.getMetadata().getName(), e.getMessage());
    }
  }
}
