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
import java.util.ArrayList;
import java.util.List;
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
  private final PackageDatabaseCheck packageDatabase;

  /** A Rebaser that warns about app layers touching the package database. */
  public Rebaser(ImageRegistry registry) {
    this(registry, new PackageDatabaseCheck(PackageDatabaseCheck.Policy.WARN));
  }

  public Rebaser(ImageRegistry registry, PackageDatabaseCheck packageDatabase) {
    this.registry = registry;
    this.packageDatabase = packageDatabase;
  }

  public RebaseResult rebase(RebaseRequest request) {
    long started = System.nanoTime();
    Manifest app = registry.pullManifest(request.app());
    Manifest newBaseTop = registry.pullManifest(request.newBase());
    NewBase newBase = new NewBase(request.newBase().withDigest(newBaseTop.digest()), newBaseTop,
        request.newBase().withDigest(null).toString());
    ImageRef appPinned = request.app().withDigest(app.digest());

    // Plan every platform and run every check before anything is pushed: a refusal on the
    // second platform must not leave the first one behind in the target repository.
    List<Planned> planned = new ArrayList<>();
    if (app.isIndex()) {
      for (ImageIndexes.Entry entry : ImageIndexes.selectChildren(app, request.platforms())) {
        ImageRef child = appPinned.withDigest(entry.digest());
        planned.add(plan(child, registry.pullManifest(child), app, newBase, request));
      }
    } else {
      planned.add(plan(appPinned, app, null, newBase, request));
    }
    List<String> warnings = new ArrayList<>();
    for (Planned p : planned) {
      warnings.addAll(packageDatabase.check(registry, p.app(), p.appLayers()));
    }
    warnings.forEach(w -> LOG.warn("{}", w));

    Transfers transfers = new Transfers();
    ImageRef childTarget = app.isIndex() ? request.target().repositoryOnly() : request.target();
    for (Planned p : planned) {
      push(p, newBase.ref(), childTarget, transfers);
    }
    Manifest top = app.isIndex() ? index(app, planned, newBase) : planned.get(0).manifest();
    if (app.isIndex()) {
      pushVerified(request.target(), top, transfers);
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    LOG.info("rebased {} onto {} as {} ({} bytes uploaded, {} blobs mounted)",
        request.app(), newBase.ref(), top.digest(), transfers.bytes, transfers.mounted);
    return new RebaseResult(
        request.target().repositoryOnly().withDigest(top.digest()),
        top.digest(),
        newBaseTop.digest(),
        planned.stream().map(p -> new RebaseResult.PlatformImage(p.platform(), p.manifest().digest())).toList(),
        transfers.bytes,
        transfers.uploaded,
        transfers.mounted,
        millis,
        warnings);
  }

  /** The base to move onto: pinned to the digest read at the start, and named as the user gave it. */
  private record NewBase(ImageRef ref, Manifest top, String name) {}

  /** One platform's re-based image, computed but not yet pushed. */
  private record Planned(ImageRef app, Digest from, Platform platform, Manifest manifest, byte[] config, int baseLayers) {
    List<Descriptor> layers() {
      List<Descriptor> layers = new ArrayList<>();
      manifest.json().get("layers").forEach(l -> layers.add(descriptor(l)));
      return layers;
    }

    List<Descriptor> appLayers() {
      List<Descriptor> all = layers();
      return all.subList(baseLayers, all.size());
    }
  }

  /** Reads one platform's app, old base and new base, and lets the planner compute the result. */
  private Planned plan(ImageRef appRef, Manifest app, Manifest appIndex, NewBase newBase, RebaseRequest request) {
    JsonNode appConfig = registry.pullConfig(appRef, app);
    Platform platform = RebasePlanner.platformOf(appConfig);
    ImageRef oldBaseRef = request.oldBase().orElseGet(() -> OldBase.fromAnnotations(app, appIndex, request.app()));
    Manifest oldBaseTop = registry.pullManifest(oldBaseRef);
    Manifest oldBase = ImageIndexes.childFor(oldBaseRef.withDigest(oldBaseTop.digest()), oldBaseTop, platform, "old base", registry);
    Manifest newBaseImage = ImageIndexes.childFor(newBase.ref(), newBase.top(), platform, "new base", registry);

    ObjectNode input = JSON.createObjectNode();
    input.set("app", app.withConfig(appConfig));
    input.set("oldBase", oldBase.withConfig(registry.pullConfig(oldBaseRef, oldBase)));
    input.set("newBase", newBaseImage.withConfig(registry.pullConfig(newBase.ref(), newBaseImage)));
    input.put("newBaseName", newBase.name());
    input.put("newBaseDigest", newBase.top().digest().value());
    ObjectNode plan = RebasePlanner.plan(input);
    return new Planned(appRef, app.digest(), platform,
        Manifest.of(app.mediaType(), RebasePlanner.serialize(plan.get("manifest"))),
        RebasePlanner.serialize(plan.get("config")),
        newBaseImage.json().get("layers").size());
  }

  /** Makes every layer present in the target (mounted, never rebuilt), then pushes config and manifest. */
  private void push(Planned p, ImageRef newBase, ImageRef target, Transfers transfers) {
    List<Descriptor> layers = p.layers();
    for (int i = 0; i < layers.size(); i++) {
      transfers.add(registry.copyBlob(i < p.baseLayers() ? newBase : p.app(), target, layers.get(i)));
    }
    transfers.add(registry.pushBlob(target, p.config()));
    pushVerified(target, p.manifest(), transfers);
  }

  /** The app's index with each platform entry pointing at its re-based manifest. */
  private static Manifest index(Manifest app, List<Planned> planned, NewBase newBase) {
    ObjectNode input = JSON.createObjectNode();
    input.set("index", app.json());
    input.put("newBaseName", newBase.name());
    input.put("newBaseDigest", newBase.top().digest().value());
    for (Planned p : planned) {
      input.withArray("children").addObject()
          .put("from", p.from().value())
          .put("digest", p.manifest().digest().value())
          .put("size", p.manifest().bytes().length);
    }
    return Manifest.of(app.mediaType(), RebasePlanner.serialize(RebasePlanner.planIndex(input)));
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
