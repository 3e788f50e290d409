package dev.slim.rebase;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.Manifest;
import dev.slim.registry.Platform;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Picks the platform children of image indexes: which app children to re-base or shrink, and onto which base child. */
public final class ImageIndexes {

  /** One platform image listed in an index. */
  public record Entry(Digest digest, Platform platform) {}

  private ImageIndexes() {}

  /**
   * The app's platform images to re-base: all of them, or those named in {@code keep}. Entries
   * without a real platform (build attestations, "unknown/unknown") are left out: they describe
   * the old images and would be wrong for the new ones.
   */
  public static List<Entry> selectChildren(Manifest index, List<Platform> keep) {
    List<Entry> selected = new ArrayList<>();
    for (Entry entry : entries(index)) {
      if (entry.platform().os().equals("unknown")) {
        continue;
      }
      if (keep.isEmpty() || keep.stream().anyMatch(entry.platform()::matches)) {
        selected.add(entry);
      }
    }
    if (selected.isEmpty()) {
      throw new RebaseException(RebaseException.PLATFORM_MISSING,
          "the app index has no platform image matching " + keep + "; it has " + platforms(index));
    }
    return selected;
  }

  /** The image manifest of {@code top} for {@code platform}: itself when it is not an index. */
  public static Manifest childFor(ImageRef ref, Manifest top, Platform platform, String role, ImageRegistry registry) {
    if (!top.isIndex()) {
      return top;
    }
    for (Entry entry : entries(top)) {
      if (entry.platform().matches(platform)) {
        return registry.pullManifest(ref.withDigest(entry.digest()));
      }
    }
    throw new RebaseException(RebaseException.PLATFORM_MISSING,
        "the " + role + " " + ref.withDigest(null) + " has no " + platform + " image (it has " + platforms(top)
            + "); leave " + platform + " out with --platform, or choose a base published for it");
  }

  private static List<Entry> entries(Manifest index) {
    List<Entry> entries = new ArrayList<>();
    for (JsonNode m : index.json().path("manifests")) {
      JsonNode p = m.path("platform");
      entries.add(new Entry(
          Digest.parse(m.path("digest").asText()),
          new Platform(p.path("os").asText("unknown"), p.path("architecture").asText("unknown"), p.path("variant").asText(null))));
    }
    return entries;
  }

  private static String platforms(Manifest index) {
    return entries(index).stream()
        .map(e -> e.platform().toString())
        .filter(p -> !p.startsWith("unknown"))
        .collect(Collectors.joining(", "));
  }
}
