package dev.slim.shrink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slim.registry.EnvList;
import dev.slim.rebase.RebaseException;
import dev.slim.rebase.RebasePlanner;
import dev.slim.registry.MediaTypes;
import dev.slim.registry.Platform;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Decides the runtime config of a shrunk image from the app's config, the fat base's (when
 * known) and the slim base's: a pure function of JSON with no I/O, so the rules are pinned by
 * golden files.
 *
 * <p>The rules:
 * <ul>
 *   <li>Entrypoint and Cmd are the app's as it ran. An app with neither inherits the slim base's;
 *       an app with only a Cmd gets an empty Entrypoint so the slim base's is not prepended.
 *   <li>WorkingDir and User are the app's when set, else the slim base's.
 *   <li>Env: each app variable is kept unless the fat base defined it with the same value (the
 *       app merely inherited it). Variables the slim base defines are underneath; {@code env}
 *       overrides win. When the fat base is unknown, app variables the slim base also defines
 *       take the slim base's value (PATH, JAVA_HOME and the like describe the base) and a
 *       warning says so.
 *   <li>Labels and Volumes: the app's, minus those the fat base set to the same value (a base's
 *       labels describe that base). ExposedPorts: all of the app's. The slim base's are added.
 *   <li>The platform must be the slim base's; the media type family is the app's.
 * </ul>
 *
 * <p>Input: {@code {"app": {"manifest": {...}, "config": {...}}, "fatBase": {"config": {...}} or
 * null, "slimBase": {"config": {...}}, "env": {"NAME": "value"}}}. Output: {@code {"platform",
 * "oci", "settings": {entrypoint, cmd, workingDir, user, env, exposedPorts, labels, volumes},
 * "effective": {Entrypoint, Cmd, WorkingDir, User, Env}, "envDropped": [...], "warnings": [...]}}
 * where settings are what the image builder is given (null inherits from the slim base) and
 * effective is what the result's config will say.
 */
public final class ShrinkPlanner {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ShrinkPlanner() {}

  public static ObjectNode plan(JsonNode input) {
    JsonNode appConfig = input.path("app").path("config");
    JsonNode app = appConfig.path("config");
    JsonNode fatBase = input.path("fatBase").isObject() ? input.path("fatBase").path("config").path("config") : null;
    JsonNode slimConfig = input.path("slimBase").path("config");
    JsonNode slim = slimConfig.path("config");

    Platform appPlatform = RebasePlanner.platformOf(appConfig);
    Platform slimPlatform = RebasePlanner.platformOf(slimConfig);
    if (!appPlatform.matches(slimPlatform)) {
      throw new ShrinkException(RebaseException.PLATFORM_MISMATCH,
          "the slim base is " + slimPlatform + " but the app is " + appPlatform + "; choose a slim base published for " + appPlatform);
    }
    String appType = input.path("app").path("manifest").path("mediaType").asText("");
    if (!MediaTypes.isImageManifest(appType)) {
      throw new ShrinkException(RebaseException.INVALID_IMAGE,
          "the app manifest has media type '" + appType + "'; expected an OCI or Docker v2 image manifest");
    }

    ObjectNode out = JSON.createObjectNode();
    out.put("platform", appPlatform.toString());
    out.put("oci", MediaTypes.OCI_MANIFEST.equals(appType));
    ArrayNode warnings = JSON.createArrayNode();

    ObjectNode settings = out.putObject("settings");
    JsonNode entrypoint = nonEmpty(app.get("Entrypoint"));
    JsonNode cmd = nonEmpty(app.get("Cmd"));
    if (entrypoint.isNull() && !cmd.isNull()) {
      entrypoint = JSON.createArrayNode();
    }
    settings.set("entrypoint", entrypoint);
    settings.set("cmd", cmd);
    settings.set("workingDir", nonEmpty(app.get("WorkingDir")));
    settings.set("user", nonEmpty(app.get("User")));

    Map<String, String> slimEnv = EnvList.parse(slim.get("Env"));
    Map<String, String> fatEnv = fatBase == null ? null : EnvList.parse(fatBase.get("Env"));
    Map<String, String> kept = new LinkedHashMap<>();
    ArrayNode dropped = JSON.createArrayNode();
    EnvList.parse(app.get("Env")).forEach((name, value) -> {
      boolean inherited = fatEnv != null ? fatEnv.containsKey(name) && Objects.equals(fatEnv.get(name), value) : slimEnv.containsKey(name);
      if (inherited) {
        dropped.add(name);
      } else {
        kept.put(name, value);
      }
    });
    if (fatEnv == null) {
      warnings.add("the fat base is unknown (no --old-base / spec.app.oldBase and no base annotations on the app), so app"
          + " variables the slim base also defines took the slim base's value and the rest were kept;"
          + " name the fat base to drop exactly what it defined");
    }
    input.path("env").properties().forEach(e -> kept.put(e.getKey(), e.getValue().asText()));
    ObjectNode envNode = settings.putObject("env");
    kept.forEach(envNode::put);

    ArrayNode ports = settings.putArray("exposedPorts");
    app.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
    ObjectNode labels = settings.putObject("labels");
    JsonNode fatLabels = fatBase == null ? JSON.createObjectNode() : fatBase.path("Labels");
    app.path("Labels").properties().forEach(e -> {
      if (!e.getValue().equals(fatLabels.get(e.getKey()))) {
        labels.set(e.getKey(), e.getValue());
      }
    });
    ArrayNode volumes = settings.putArray("volumes");
    JsonNode fatVolumes = fatBase == null ? JSON.createObjectNode() : fatBase.path("Volumes");
    app.path("Volumes").fieldNames().forEachRemaining(v -> {
      if (!fatVolumes.has(v)) {
        volumes.add(v);
      }
    });

    ObjectNode effective = out.putObject("effective");
    boolean inheritRun = entrypoint.isNull() && cmd.isNull();
    effective.set("Entrypoint", inheritRun ? nonEmpty(slim.get("Entrypoint")) : entrypoint);
    effective.set("Cmd", inheritRun ? nonEmpty(slim.get("Cmd")) : cmd);
    effective.set("WorkingDir", settings.get("workingDir").isNull() ? nonEmpty(slim.get("WorkingDir")) : settings.get("workingDir"));
    effective.set("User", settings.get("user").isNull() ? nonEmpty(slim.get("User")) : settings.get("user"));
    Map<String, String> finalEnv = new LinkedHashMap<>(slimEnv);
    finalEnv.putAll(kept);
    effective.set("Env", EnvList.render(finalEnv));

    out.set("envDropped", dropped);
    out.set("warnings", warnings);
    return out;
  }


  /** Absent, JSON null, "" and [] all mean "not set" to a runtime. */
  private static JsonNode nonEmpty(JsonNode node) {
    if (node == null || node.isNull() || (node.isTextual() && node.asText().isEmpty()) || (node.isArray() && node.isEmpty())) {
      return NullNode.getInstance();
    }
    return node;
  }
}
