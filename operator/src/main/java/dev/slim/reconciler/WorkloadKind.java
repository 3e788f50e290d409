package dev.slim.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import java.util.Optional;
import java.util.function.Function;

/** The workload kinds the operator pins, with where each keeps its pod spec. */
public enum WorkloadKind {
  DEPLOYMENT("Deployment", Deployment.class, "/spec/template/spec",
      w -> ((Deployment) w).getSpec() == null || ((Deployment) w).getSpec().getTemplate() == null
          ? null : ((Deployment) w).getSpec().getTemplate().getSpec()),
  STATEFUL_SET("StatefulSet", StatefulSet.class, "/spec/template/spec",
      w -> ((StatefulSet) w).getSpec() == null || ((StatefulSet) w).getSpec().getTemplate() == null
          ? null : ((StatefulSet) w).getSpec().getTemplate().getSpec()),
  DAEMON_SET("DaemonSet", DaemonSet.class, "/spec/template/spec",
      w -> ((DaemonSet) w).getSpec() == null || ((DaemonSet) w).getSpec().getTemplate() == null
          ? null : ((DaemonSet) w).getSpec().getTemplate().getSpec()),
  CRON_JOB("CronJob", CronJob.class, "/spec/jobTemplate/spec/template/spec",
      w -> {
        CronJob c = (CronJob) w;
        if (c.getSpec() == null || c.getSpec().getJobTemplate() == null || c.getSpec().getJobTemplate().getSpec() == null
            || c.getSpec().getJobTemplate().getSpec().getTemplate() == null) {
          return null;
        }
        return c.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
      });

  private final String kind;
  private final Class<? extends HasMetadata> type;
  private final String podSpecPath;
  private final Function<HasMetadata, PodSpec> podSpec;

  WorkloadKind(String kind, Class<? extends HasMetadata> type, String podSpecPath, Function<HasMetadata, PodSpec> podSpec) {
    this.kind = kind;
    this.type = type;
    this.podSpecPath = podSpecPath;
    this.podSpec = podSpec;
  }

  public String kind() {
    return kind;
  }

  public Class<? extends HasMetadata> type() {
    return type;
  }

  /** JSON pointer to the pod spec, for a patch of one container. */
  public String podSpecPath() {
    return podSpecPath;
  }

  public Optional<PodSpec> podSpec(HasMetadata workload) {
    return Optional.ofNullable(podSpec.apply(workload));
  }
}
