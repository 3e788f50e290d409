package dev.slim.rebase;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slim.registry.BlobTransfer;
import dev.slim.registry.Descriptor;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.Manifest;
import dev.slim.registry.Platform;
import dev.slim.registry.RegistryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs a re-base against registries: reads the app and both bases, lets the
 * {@link RebasePlanner} compute the new config and manifest, makes every layer present in the
 * target (mounted, never rebuilt), pushes, and reads the result back before reporting it.
 */
public final class Rebaser {

  private static final Logger LOG = LoggerFactory.getLogger(Rebaser.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ImageRegistry registry;

  public Rebaser(ImageRegistry registry) {
    this.registry = registry;
  }

  public RebaseResult rebase(RebaseRequest request) {
    long started = System.nanoTime();
    Transfers transfers = new Transfers();
    Manifest app = registry.pullManifest(request.app());
    Manifest newBaseTop = registry.pullManifest(request.newBase());
    ImageRef newBase = request.newBase().withDigest(newBaseTop.digest());
    String newBaseName = request.newBase().withDigest(null).toString();
    ImageRef appPinned = request.app().withDigest(app.digest());

    List<RebaseResult.PlatformImage> platforms = new ArrayList<>();
    Manifest top;
    if (app.isIndex()) {
      ObjectNode indexInput = JSON.createObjectNode();
      indexInput.set("index", app.json());
      indexInput.put("newBaseName", newBaseName);
      indexInput.put("newBaseDigest", newBaseTop.digest().value());
      for (ImageIndexes.Entry entry : ImageIndexes.selectChildren(app, request.platforms())) {
        ImageRef child = appPinned.withDigest(entry.digest());
        Pushed rebased = rebaseImage(child, registry.pullManifest(child), app, newBase, newBaseTop, newBaseName,
            request, request.target().repositoryOnly(), transfers);
        indexInput.withArray("children").addObject()
            .put("from", entry.digest().value())
            .put("digest", rebased.manifest().digest().value())
            .put("size", rebased.manifest().bytes().length);
        platforms.add(new RebaseResult.PlatformImage(entry.platform(), rebased.manifest().digest()));
      }
      top = Manifest.of(app.mediaType(), RebasePlanner.serialize(RebasePlanner.planIndex(indexInput)));
      pushVerified(request.target(), top, transfers);
    } else {
      Pushed rebased = rebaseImage(appPinned, app, null, newBase, newBaseTop, newBaseName, request, request.target(), transfers);
      top = rebased.manifest();
      platforms.add(new RebaseResult.PlatformImage(rebased.platform(), top.digest()));
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    LOG.info("rebased {} onto {} as {} ({} bytes uploaded, {} blobs mounted)",
        request.app(), newBase, top.digest(), transfers.bytes, transfers.mounted);
    return new RebaseResult(
        request.target().repositoryOnly().withDigest(top.digest()),
        top.digest(),
        newBaseTop.digest(),
        platforms,
        transfers.bytes,
        transfers.uploaded,
        transfers.mounted,
        millis);
  }

  /** One platform's re-based manifest, pushed and read back. */
  private record Pushed(Manifest manifest, Platform platform) {}

  /** Re-bases one platform's image manifest and pushes it to {@code target}. */
  private Pushed rebaseImage(
      ImageRef appRef, Manifest app, Manifest appIndex, ImageRef newBase, Manifest newBaseTop, String newBaseName,
      RebaseRequest request, ImageRef target, Transfers transfers) {
    JsonNode appConfig = config(appRef, app);
    Platform platform = RebasePlanner.platformOf(appConfig);
    ImageRef oldBaseRef = request.oldBase().orElseGet(() -> OldBase.fromAnnotations(app, appIndex, request.app()));
    Manifest oldBaseTop = registry.pullManifest(oldBaseRef);
    Manifest oldBase = ImageIndexes.childFor(oldBaseRef.withDigest(oldBaseTop.digest()), oldBaseTop, platform, "old base", registry);
    Manifest newBaseImage = ImageIndexes.childFor(newBase, newBaseTop, platform, "new base", registry);

    ObjectNode input = JSON.createObjectNode();
    input.set("app", image(app, appConfig));
    input.set("oldBase", image(oldBase, config(oldBaseRef, oldBase)));
    input.set("newBase", image(newBaseImage, config(newBase, newBaseImage)));
    input.put("newBaseName", newBaseName);
    input.put("newBaseDigest", newBaseTop.digest().value());
    ObjectNode plan = RebasePlanner.plan(input);

    int baseLayers = newBaseImage.json().get("layers").size();
    JsonNode layers = plan.get("manifest").get("layers");
    for (int i = 0; i < layers.size(); i++) {
      ImageRef source = i < baseLayers ? newBase : appRef;
      transfers.add(registry.copyBlob(source, target, descriptor(layers.get(i))));
    }
    transfers.add(registry.pushBlob(target, RebasePlanner.serialize(plan.get("config"))));
    Manifest manifest = Manifest.of(app.mediaType(), RebasePlanner.serialize(plan.get("manifest")));
    pushVerified(target, manifest, transfers);
    return new Pushed(manifest, platform);
  }

  /**
   * Pushes a manifest unless the target already holds it, then reads it back by digest: a
   * digest is only reported (and so only ever pinned) once the registry serves those bytes.
   */
  private void pushVerified(ImageRef target, Manifest manifest, Transfers transfers) {
    ImageRef byDigest = target.withDigest(manifest.digest());
    if (!alreadyPushed(target, manifest.digest())) {
      Digest pushed = registry.pushManifest(target, manifest);
      transfers.bytes += manifest.bytes().length;
      if (!pushed.equals(manifest.digest())) {
        throw new RegistryException(RegistryException.Kind.REJECTED, target.registry(), target.toString(),
            "registry stored " + pushed + " for a manifest whose digest is " + manifest.digest());
      }
    }
    Manifest readBack = registry.pullManifest(byDigest);
    if (!readBack.equals(manifest)) {
      throw new RegistryException(RegistryException.Kind.REJECTED, target.registry(), byDigest.toString(),
          "the manifest read back from " + byDigest + " differs from the one pushed");
    }
  }

  private boolean alreadyPushed(ImageRef target, Digest digest) {
    try {
      return registry.resolve(target.tag() == null ? target.withDigest(digest) : target).equals(digest);
    } catch (RegistryException e) {
      if (e.kind() == RegistryException.Kind.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  private JsonNode config(ImageRef ref, Manifest manifest) {
    Digest digest = Digest.parse(manifest.json().path("config").path("digest").asText());
    try {
      return JSON.readTree(registry.pullBlob(ref, digest));
    } catch (IOException e) {
      throw new UncheckedIOException("config " + digest + " of " + ref + " is not JSON", e);
    }
  }

  private static ObjectNode image(Manifest manifest, JsonNode config) {
    ObjectNode image = JSON.createObjectNode();
    image.set("manifest", manifest.json());
    image.set("config", config);
    return image;
  }

  static Descriptor descriptor(JsonNode node) {
    return new Descriptor(node.path("mediaType").asText(), Digest.parse(node.path("digest").asText()), node.path("size").asLong());
  }

  /** Running totals of what reached the target registry. */
  private static final class Transfers {
    long bytes;
    int uploaded;
    int mounted;

    void add(BlobTransfer t) {
      bytes += t.bytesUploaded();
      switch (t.kind()) {
        case UPLOADED -> uploaded++;
        case MOUNTED -> mounted++;
        case EXISTED -> { }
      }
    }
  }
}
