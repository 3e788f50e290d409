package dev.slim.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Creates and reads the workloads tests pin: small but valid Deployments, StatefulSets, DaemonSets and CronJobs. */
public final class Workloads {

  private final KubernetesClient client;
  private final String namespace;

  public Workloads(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  public void deployment(String name, Map<String, String> labels, String image) {
    createDeployment(name, labels, pod(name, List.of(container("app", image)), List.of()));
  }

  public void deploymentWithSidecar(String name, String image, String sidecarImage) {
    createDeployment(name, Map.of(), pod(name, List.of(container("app", image), container("proxy", sidecarImage)), List.of()));
  }

  public void deploymentWithInitContainer(String name, String image, String initImage) {
    createDeployment(name, Map.of("team", "shop"), pod(name, List.of(container("app", image)), List.of(container("migrate", initImage))));
  }

  public void statefulSet(String name, String image) {
    client.apps().statefulSets().inNamespace(namespace).resource(new StatefulSetBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withNewSpec().withServiceName(name).withNewSelector().addToMatchLabels("workload", name).endSelector()
        .withTemplate(pod(name, List.of(container("app", image)), List.of())).endSpec()
        .build()).create();
  }

  public void daemonSet(String name, String image) {
    client.apps().daemonSets().inNamespace(namespace).resource(new DaemonSetBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("workload", name).endSelector()
        .withTemplate(pod(name, List.of(container("app", image)), List.of())).endSpec()
        .build()).create();
  }

  public void cronJob(String name, String image) {
    PodTemplateSpec template = pod(name, List.of(container("app", image)), List.of());
    template.getSpec().setRestartPolicy("OnFailure");
    client.batch().v1().cronjobs().inNamespace(namespace).resource(new CronJobBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withNewSpec().withSchedule("0 3 * * *")
        .withNewJobTemplate().withNewSpec().withTemplate(template).endSpec().endJobTemplate()
        .endSpec()
        .build()).create();
  }

  public List<String> deploymentImages(String name) {
    return images(client.apps().deployments().inNamespace(namespace).withName(name).get().getSpec().getTemplate().getSpec());
  }

  public String statefulSetImage(String name) {
    return images(client.apps().statefulSets().inNamespace(namespace).withName(name).get().getSpec().getTemplate().getSpec()).get(0);
  }

  public String daemonSetImage(String name) {
    return images(client.apps().daemonSets().inNamespace(namespace).withName(name).get().getSpec().getTemplate().getSpec()).get(0);
  }

  public String cronJobImage(String name) {
    return images(client.batch().v1().cronjobs().inNamespace(namespace).withName(name).get()
        .getSpec().getJobTemplate().getSpec().getTemplate().getSpec()).get(0);
  }

  private void createDeployment(String name, Map<String, String> labels, PodTemplateSpec template) {
    client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
        .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("workload", name).endSelector()
        .withTemplate(template).endSpec()
        .build()).create();
  }

  private static PodTemplateSpec pod(String name, List<Container> containers, List<Container> init) {
    PodSpec spec = new PodSpecBuilder().withContainers(containers).withInitContainers(init).build();
    Map<String, String> labels = new HashMap<>();
    labels.put("workload", name);
    return new PodTemplateSpecBuilder().withNewMetadata().withLabels(labels).endMetadata().withSpec(spec).build();
  }

  private static Container container(String name, String image) {
    return new ContainerBuilder().withName(name).withImage(image)
        .withNewResources().addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("10m")).endResources()
        .build();
  }

  private static List<String> images(PodSpec pod) {
    return pod.getContainers().stream().map(Container::getImage).toList();
  }
}
