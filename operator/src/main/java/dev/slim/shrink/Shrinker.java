package dev.slim.shrink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slim.rebase.ImageIndexes;
import dev.slim.rebase.RebaseException;
import dev.slim.rebase.RebasePlanner;
import dev.slim.registry.Digest;
import dev.slim.registry.EnvList;
import dev.slim.registry.ImageRef;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.InvalidReferenceException;
import dev.slim.registry.LayeredImageBuilder;
import dev.slim.registry.Manifest;
import dev.slim.registry.Platform;
import dev.slim.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs a shrink: reads the fat app image's layers and keeps only the selected paths, reads
 * the slim base, lets the {@link ShrinkPlanner} decide the config, checks the result can start,
 * and only then has the {@link LayeredImageBuilder} push the slim base plus the app files.
 */
public final class Shrinker {

  private static final Logger LOG = LoggerFactory.getLogger(Shrinker.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ImageRegistry registry;
  private final LayeredImageBuilder builder;

  public Shrinker(ImageRegistry registry, LayeredImageBuilder builder) {
    this.registry = registry;
    this.builder = builder;
  }

  public ShrinkResult shrink(ShrinkRequest request) {
    long started = System.nanoTime();
    Manifest appTop = registry.pullManifest(request.app());
    ImageRef appRef = request.app().withDigest(appTop.digest());
    Manifest app = appImage(appRef, appTop, request.platform());
    JsonNode appConfig = registry.pullConfig(appRef, app);
    Platform platform = RebasePlanner.platformOf(appConfig);

    Manifest slimTop = registry.pullManifest(request.slimBase());
    ImageRef slimRef = request.slimBase().withDigest(slimTop.digest());
    Manifest slim = ImageIndexes.childFor(slimRef, slimTop, platform, "slim base", registry);
    JsonNode slimConfig = registry.pullConfig(slimRef, slim);

    ObjectNode input = JSON.createObjectNode();
    input.set("app", app.withConfig(appConfig));
    fatBaseConfig(request, app, appTop, appRef, platform).ifPresent(fat -> input.putObject("fatBase").set("config", fat));
    input.set("slimBase", slim.withConfig(slimConfig));
    ObjectNode env = input.putObject("env");
    new TreeMap<>(request.env()).forEach(env::put);
    ObjectNode plan = ShrinkPlanner.plan(input);
    List<String> warnings = new ArrayList<>();
    plan.get("warnings").forEach(w -> warnings.add(w.asText()));

    Path work = createWorkDir();
    try {
      FileTree appTree = readLayers(appRef, app, appKeep(request.paths()), work);
      AppFiles files = AppFiles.select(appTree, request.paths());
      FileTree slimTree = readLayers(slimRef, slim, path -> PackageInventory.isDatabase(path)
          ? LayerFilesystem.Level.WHOLE : LayerFilesystem.Level.HEAD, work);
      files.checkAgainst(slimTree);
      FileTree result = slimTree.overlay(files.tree());
      checkEntrypoint(result, plan.get("effective"), request.allowMissing(), warnings);

      PackageInventory before = PackageInventory.of(appTree);
      PackageInventory after = PackageInventory.of(result);
      Path emptyDir = Files.createDirectories(work.resolve("empty-dir"));
      List<LayeredImageBuilder.FileLayer> layers = files.layers(emptyDir, warnings);

      long extraBytes = 0;
      int extraBlobs = 0;
      ImageRef base = slimRef.withDigest(slim.digest());
      List<AppFiles.Link> links = files.symlinks();
      if (!links.isEmpty()) {
        SymlinkBase symlinkBase = SymlinkBase.push(registry, slimRef, slim, slimConfig, links, request);
        base = symlinkBase.ref();
        extraBytes = symlinkBase.bytes();
        extraBlobs = symlinkBase.blobs();
      }
      LayeredImageBuilder.Built built = builder.build(new LayeredImageBuilder.Request(
          base, platform, plan.get("oci").asBoolean(), layers, settings(plan.get("settings")), request.target()));

      Manifest pushed = registry.pullManifest(request.target().withDigest(built.digest()));
      long uploadedBytes = extraBytes + uploadedBytes(pushed, built);
      int uploadedBlobs = extraBlobs + built.uploaded().size();
      ShrinkReport report = new ShrinkReport(
          ShrinkReport.Stage.of(layerBytes(app), app.json().path("layers").size(), before),
          ShrinkReport.Stage.of(layerBytes(pushed), pushed.json().path("layers").size(), after),
          PackageInventory.removed(before, after));
      List<String> dropped = new ArrayList<>();
      plan.get("envDropped").forEach(n -> dropped.add(n.asText()));
      long millis = (System.nanoTime() - started) / 1_000_000;
      LOG.info("shrank {} onto {} as {}: {} -> {} bytes, {} -> {} packages, {} bytes uploaded",
          request.app(), slimRef, built.digest(), report.original().compressedBytes(), report.slim().compressedBytes(),
          report.original().packages(), report.slim().packages(), uploadedBytes);
      return new ShrinkResult(request.target().repositoryOnly().withDigest(built.digest()), built.digest(), slimTop.digest(),
          platform, report, uploadedBytes, uploadedBlobs, dropped, warnings, millis);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteTree(work);
    }
  }

  /** The app's image manifest: itself, or the child of its index for the requested (or only) platform. */
  private Manifest appImage(ImageRef appRef, Manifest top, Optional<Platform> wanted) {
    if (!top.isIndex()) {
      return top;
    }
    List<ImageIndexes.Entry> children = ImageIndexes.selectChildren(top, wanted.map(List::of).orElse(List.of()));
    if (children.size() > 1) {
      throw new ShrinkException(RebaseException.PLATFORM_MISSING, "the app " + appRef + " is an index of "
          + children.stream().map(c -> c.platform().toString()).toList() + "; shrink one platform at a time with --platform");
    }
    return registry.pullManifest(appRef.withDigest(children.get(0).digest()));
  }

  /** The fat base's config: named in the request, else by the app's base annotations, else unknown. */
  private Optional<JsonNode> fatBaseConfig(ShrinkRequest request, Manifest app, Manifest appTop, ImageRef appRef, Platform platform) {
    Optional<ImageRef> ref = request.fatBase().or(() -> annotatedBase(app).or(() -> annotatedBase(appTop)));
    if (ref.isEmpty()) {
      return Optional.empty();
    }
    Manifest top = registry.pullManifest(ref.get());
    ImageRef pinned = ref.get().withDigest(top.digest());
    Manifest image = ImageIndexes.childFor(pinned, top, platform, "fat base", registry);
    return Optional.of(registry.pullConfig(pinned, image));
  }

  private static Optional<ImageRef> annotatedBase(Manifest manifest) {
    JsonNode annotations = manifest.json().path("annotations");
    String name = annotations.path(RebasePlanner.BASE_NAME).asText("");
    if (name.isEmpty()) {
      return Optional.empty();
    }
    try {
      ImageRef ref = ImageRef.parse(name);
      String digest = annotations.path(RebasePlanner.BASE_DIGEST).asText("");
      return Optional.of(digest.isEmpty() ? ref : ref.withDigest(Digest.parse(digest)));
    } catch (InvalidReferenceException e) {
      return Optional.empty();
    }
  }

  /** Selected paths spooled to disk, their parent directories and the package databases: nothing else of a fat image. */
  private static LayerFilesystem.Keep appKeep(List<String> roots) {
    return path -> {
      for (String root : roots) {
        if (path.equals(root) || path.startsWith(root + "/")) {
          return LayerFilesystem.Level.SPOOL;
        }
      }
      if (PackageInventory.isDatabase(path)) {
        return LayerFilesystem.Level.WHOLE;
      }
      if (PackageInventory.isPresenceOnly(path)) {
        return LayerFilesystem.Level.METADATA;
      }
      for (String root : roots) {
        if (root.startsWith(path + "/")) {
          return LayerFilesystem.Level.METADATA;
        }
      }
      return LayerFilesystem.Level.SKIP;
    };
  }

  private FileTree readLayers(ImageRef ref, Manifest manifest, LayerFilesystem.Keep keep, Path work) throws IOException {
    Path spool = Files.createTempDirectory(work, "layers-");
    LayerFilesystem fs = new LayerFilesystem(new FileTree(), keep, spool);
    for (JsonNode layer : manifest.json().path("layers")) {
      Digest digest = Digest.parse(layer.path("digest").asText());
      MessageDigest sha = sha256();
      try (InputStream blob = registry.openBlob(ref, digest); DigestInputStream in = new DigestInputStream(blob, sha)) {
        fs.apply(in, digest.shortHex(12) + " of " + ref.withDigest(null));
      }
      String actual = "sha256:" + HexFormat.of().formatHex(sha.digest());
      if (!actual.equals(digest.value())) {
        throw new RegistryException(RegistryException.Kind.REJECTED, ref.registry(), ref.toString(),
            "layer " + digest + " of " + ref + " arrived with digest " + actual);
      }
    }
    return fs.tree();
  }

  private static void checkEntrypoint(FileTree result, JsonNode effective, boolean allowMissing, List<String> warnings) {
    Map<String, String> env = EnvList.parse(effective.get("Env"));
    EntrypointCheck check = new EntrypointCheck(result, env.get("PATH"), effective.path("WorkingDir").asText(null));
    List<EntrypointCheck.Problem> problems = check.check(strings(effective.get("Entrypoint")), strings(effective.get("Cmd")));
    if (problems.isEmpty()) {
      return;
    }
    String messages = String.join("; ", problems.stream().map(EntrypointCheck.Problem::message).toList());
    if (!allowMissing) {
      throw new ShrinkException(problems.get(0).reason(), messages
          + " (nothing was pushed; set spec.app.allowMissing / --allow-missing to push anyway)");
    }
    LOG.warn("pushing despite a failed entrypoint check (allowMissing): {}", messages);
    problems.forEach(p -> warnings.add("allowMissing: " + p.message()));
  }

  private static LayeredImageBuilder.Settings settings(JsonNode s) {
    Map<String, String> env = new LinkedHashMap<>();
    s.path("env").properties().forEach(e -> env.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
    Map<String, String> labels = new LinkedHashMap<>();
    s.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    return new LayeredImageBuilder.Settings(
        strings(s.get("entrypoint")), strings(s.get("cmd")),
        s.path("workingDir").asText(null), s.path("user").asText(null),
        env, new LinkedHashSet<>(strings(s.get("exposedPorts"))), labels,
        new LinkedHashSet<>(strings(s.get("volumes"))));
  }

  private static List<String> strings(JsonNode array) {
    if (array == null || !array.isArray()) {
      return null;
    }
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }

  /** Sizes of the blobs the builder uploaded, from the pushed manifest's descriptors, plus the manifest. */
  private static long uploadedBytes(Manifest pushed, LayeredImageBuilder.Built built) {
    long bytes = built.manifestPushed() ? pushed.bytes().length : 0;
    List<JsonNode> descriptors = new ArrayList<>();
    descriptors.add(pushed.json().path("config"));
    pushed.json().path("layers").forEach(descriptors::add);
    for (JsonNode d : descriptors) {
      if (built.uploaded().contains(Digest.parse(d.path("digest").asText()))) {
        bytes += d.path("size").asLong();
      }
    }
    return bytes;
  }

  private static long layerBytes(Manifest manifest) {
    long sum = 0;
    for (JsonNode layer : manifest.json().path("layers")) {
      sum += layer.path("size").asLong();
    }
    return sum;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static Path createWorkDir() {
    try {
      return Files.createTempDirectory("slimimage-shrink-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", dir, e.getMessage());
    }
  }
}
