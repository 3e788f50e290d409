package dev.slim.reconciler;

import dev.slim.config.OperatorConfig;
import dev.slim.metrics.SlimImageMetrics;
import dev.slim.watch.BaseWatcher;
import java.time.Clock;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * The collaborators a {@link SlimImageReconciler} delegates to, wired once by the runner (or a
 * test) so the reconciler itself stays a page long.
 */
public record SlimImageParts(
    OperatorConfig config,
    BaseWatcher<ResourceID> watcher,
    SecretCredentials secrets,
    ImagePublisher publisher,
    WorkloadPatcher patcher,
    EventRecorder events,
    StatusFactory status,
    SlimImageMetrics metrics,
    Clock clock) {}
