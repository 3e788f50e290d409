package dev.slim.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slim.rebase.RebaseResult;

/** The one JSON object a CLI command prints on stdout, field names fixed for CI scripts. */
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
    return out;
  }
}
