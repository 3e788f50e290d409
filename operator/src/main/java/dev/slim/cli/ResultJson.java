package dev.slim.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slim.rebase.RebaseResult;
import dev.slim.shrink.ShrinkReport;
import dev.slim.shrink.ShrinkResult;

/**
 * The one JSON object a CLI command prints on stdout, field names fixed for CI scripts. A
 * package count is null when unknown (an rpm database, which is not read).
 */
public final class ResultJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ResultJson() {}

  public static ObjectNode of(RebaseResult r) {
    ObjectNode out = JSON.createObjectNode();
    out.put("image", r.image().toString());
    out.put("digest", r.digest().value());
    out.put("baseDigest", r.baseDigest().value());
    ArrayNode platforms = out.putArray("platforms");
    for (RebaseResult.PlatformImage p : r.platforms()) {
      platforms.addObject().put("platform", p.platform().toString()).put("digest", p.digest().value());
    }
    out.put("bytesUploaded", r.bytesUploaded());
    out.put("blobsUploaded", r.blobsUploaded());
    out.put("blobsMounted", r.blobsMounted());
    out.put("durationMillis", r.durationMillis());
    r.warnings().forEach(out.putArray("warnings")::add);
    return out;
  }

  /** A shrink's result: the rebase fields that apply, plus the savings report. */
  public static ObjectNode of(ShrinkResult r) {
    ObjectNode out = JSON.createObjectNode();
    out.put("image", r.image().toString());
    out.put("digest", r.digest().value());
    out.put("baseDigest", r.baseDigest().value());
    out.putArray("platforms").addObject().put("platform", r.platform().toString()).put("digest", r.digest().value());
    out.put("bytesUploaded", r.bytesUploaded());
    out.put("blobsUploaded", r.blobsUploaded());
    out.put("durationMillis", r.durationMillis());
    ObjectNode savings = out.putObject("savings");
    stage(savings.putObject("original"), r.report().original());
    stage(savings.putObject("slim"), r.report().slim());
    savings.put("savedBytes", r.report().savedBytes());
    r.report().packagesRemoved().forEach(savings.putArray("packagesRemoved")::add);
    r.envDropped().forEach(out.putArray("envDropped")::add);
    r.warnings().forEach(out.putArray("warnings")::add);
    return out;
  }

  private static void stage(ObjectNode node, ShrinkReport.Stage stage) {
    node.put("compressedBytes", stage.compressedBytes());
    node.put("layers", stage.layers());
    if (stage.packages() == null) {
      node.putNull("packages");
    } else {
      node.put("packages", stage.packages());
    }
    stage.packageDatabases().forEach(node.putArray("packageDatabases")::add);
  }
}
