package dev.slim.reconciler;

import dev.slim.api.v1alpha1.Conditions;
import dev.slim.api.v1alpha1.SlimImageSpec.SecretRef;
import dev.slim.reconciler.StalledException.Stage;
import dev.slim.registry.RegistryCredentials;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Base64;
import java.util.List;

/**
 * Reads the registry logins a SlimImage names: {@code kubernetes.io/dockerconfigjson} Secrets in
 * its own namespace only, merged in order. Errors name the Secret and key, never a value.
 */
public class SecretCredentials {

  public static final String TYPE = "kubernetes.io/dockerconfigjson";
  public static final String KEY = ".dockerconfigjson";

  private final KubernetesClient client;

  public SecretCredentials(KubernetesClient client) {
    this.client = client;
  }

  /** @throws StalledException when a Secret is missing, of another type, or not a Docker config */
  public RegistryCredentials load(String namespace, List<SecretRef> refs) {
    RegistryCredentials merged = RegistryCredentials.anonymous();
    for (SecretRef ref : refs) {
      String where = "Secret " + namespace + "/" + ref.name();
      Secret secret = client.secrets().inNamespace(namespace).withName(ref.name()).get();
      if (secret == null) {
        throw new StalledException(Stage.BASE, Conditions.SECRET_MISSING,
            where + " (spec.registrySecrets) does not exist; create it with kubectl create secret docker-registry");
      }
      if (!TYPE.equals(secret.getType())) {
        throw new StalledException(Stage.BASE, Conditions.SECRET_INVALID,
            where + " has type " + secret.getType() + "; expected " + TYPE);
      }
      String encoded = secret.getData() == null ? null : secret.getData().get(KEY);
      if (encoded == null) {
        throw new StalledException(Stage.BASE, Conditions.SECRET_INVALID, where + " has no " + KEY + " key");
      }
      try {
        merged = merged.merge(RegistryCredentials.fromDockerConfig(Base64.getDecoder().decode(encoded), where));
      } catch (IllegalArgumentException e) {
        // fromDockerConfig's messages name the source and entry only; base64 errors carry no data.
        throw new StalledException(Stage.BASE, Conditions.SECRET_INVALID,
            e.getMessage() != null && e.getMessage().startsWith(where) ? e.getMessage() : where + ": " + KEY + " is not base64");
      }
    }
    return merged;
  }
}
