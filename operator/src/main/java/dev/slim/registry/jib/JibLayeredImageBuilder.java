package dev.slim.registry.jib;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;
import com.google.cloud.tools.jib.event.events.TimerEvent;
import com.google.cloud.tools.jib.global.JibSystemProperties;
import com.google.cloud.tools.jib.http.ResponseException;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.LayeredImageBuilder;
import dev.slim.registry.RegistryCredentials;
import dev.slim.registry.RegistryException;
import dev.slim.registry.RegistryOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds and pushes an image with jib-core's public API: {@code Jib.from(RegistryImage)} with
 * file-entry layers and container settings, containerized to a {@code RegistryImage}. jib
 * skips blobs the target already has and mounts base layers within one registry, so a shrink
 * whose app layers are unchanged uploads only a config and a manifest.
 */
public final class JibLayeredImageBuilder implements LayeredImageBuilder {

  private static final Logger LOG = LoggerFactory.getLogger(JibLayeredImageBuilder.class);
  /** jib marks the start of a blob's upload body with a timer lap of this name; mounts and skips have none. */
  private static final String UPLOAD_LAP = "pushBlob PATCH ";
  /** jib's log line when the target already holds the manifest it built. */
  private static final String MANIFEST_EXISTS = "Skipping pushing manifest";

  private final RegistryCredentials credentials;
  private final RegistryOptions options;

  public JibLayeredImageBuilder(RegistryCredentials credentials, RegistryOptions options) {
    this.credentials = credentials;
    this.options = options;
  }

  @Override
  public Built build(Request request) {
    Path caches = null;
    try {
      caches = Files.createTempDirectory("slimimage-jib-");
      JibContainerBuilder container = Jib.from(registryImage(request.base()))
          .setFormat(request.oci() ? ImageFormat.OCI : ImageFormat.Docker)
          .setPlatforms(Set.of(new com.google.cloud.tools.jib.api.buildplan.Platform(
              request.platform().architecture(), request.platform().os())))
          .setFileEntriesLayers(request.layers().stream().map(JibLayeredImageBuilder::layer).toList());
      settings(container, request.settings());

      Set<Digest> uploaded = ConcurrentHashMap.newKeySet();
      AtomicBoolean manifestSkipped = new AtomicBoolean();
      allowCredentialsOverHttp(request);
      Containerizer containerizer = Containerizer.to(registryImage(request.target()))
          .setToolName("slimimage")
          .setAllowInsecureRegistries(options.isInsecure(request.base().registry()) || options.isInsecure(request.target().registry()))
          .setBaseImageLayersCache(caches.resolve("base"))
          .setApplicationLayersCache(caches.resolve("app"))
          .addEventHandler(LogEvent.class, e -> {
            LOG.debug("jib: {}", e.getMessage());
            if (e.getMessage().startsWith(MANIFEST_EXISTS)) {
              manifestSkipped.set(true);
            }
          })
          .addEventHandler(TimerEvent.class, e -> {
            if (e.getDescription().startsWith(UPLOAD_LAP)) {
              uploaded.add(Digest.parse(e.getDescription().substring(UPLOAD_LAP.length()).trim()));
            }
          });
      JibContainer result = container.containerize(containerizer);
      Digest digest = Digest.parse(result.getDigest().toString());
      return new Built(digest, Set.copyOf(uploaded), !manifestSkipped.get());
    } catch (ExecutionException e) {
      throw translate(request, e.getCause() == null ? e : e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unreachable(request.target(), "interrupted while pushing", e);
    } catch (IOException | CacheDirectoryCreationException e) {
      throw translate(request, e);
    } catch (com.google.cloud.tools.jib.api.RegistryException e) {
      throw translate(request, e);
    } finally {
      delete(caches);
    }
  }

  private RegistryImage registryImage(ImageRef ref) {
    ImageReference reference = ImageReference.of(ref.registry(), ref.repository(), ref.tag(),
        ref.digest() == null ? null : ref.digest().value());
    RegistryImage image = RegistryImage.named(reference);
    credentials.forRegistry(ref.registry()).ifPresent(login -> image.addCredential(login.username(), login.password()));
    return image;
  }

  private static FileEntriesLayer layer(FileLayer layer) {
    FileEntriesLayer.Builder builder = FileEntriesLayer.builder().setName(layer.name());
    // Fully qualified: the port's own FileEntry, inherited as a member type, shadows an import.
    for (LayeredImageBuilder.FileEntry e : layer.entries()) {
      builder.addEntry(new com.google.cloud.tools.jib.api.buildplan.FileEntry(e.source(), AbsoluteUnixPath.get(e.path()),
          FilePermissions.fromOctalString(String.format("%03o", e.permissions() & 0777)), e.modified(), e.ownership()));
    }
    return builder.build();
  }

  private static void settings(JibContainerBuilder container, Settings s) {
    container.setEntrypoint(s.entrypoint()).setProgramArguments(s.cmd());
    if (s.workingDir() != null) {
      container.setWorkingDirectory(AbsoluteUnixPath.get(s.workingDir()));
    }
    if (s.user() != null) {
      container.setUser(s.user());
    }
    container.setEnvironment(s.env()).setLabels(s.labels());
    container.setExposedPorts(s.exposedPorts().stream().map(JibLayeredImageBuilder::port).collect(Collectors.toSet()));
    container.setVolumes(s.volumes().stream().map(v -> AbsoluteUnixPath.get(v)).collect(Collectors.toSet()));
  }

  /** "8080/tcp", "53/udp" or "8080" as a config's ExposedPorts keys are written. */
  private static Port port(String spec) {
    int slash = spec.indexOf('/');
    int number = Integer.parseInt(slash < 0 ? spec : spec.substring(0, slash));
    return Port.parseProtocol(number, slash < 0 ? "tcp" : spec.substring(slash + 1));
  }

  /**
   * jib refuses to send credentials over plain HTTP unless a JVM-wide switch is on. Turned on
   * only when a registry the user declared insecure needs a login, which is the user's choice.
   */
  private void allowCredentialsOverHttp(Request request) {
    for (ImageRef ref : List.of(request.base(), request.target())) {
      if (options.isInsecure(ref.registry()) && credentials.forRegistry(ref.registry()).isPresent()) {
        System.setProperty(JibSystemProperties.SEND_CREDENTIALS_OVER_HTTP, "true");
      }
    }
  }

  private RegistryException translate(Request request, Throwable e) {
    ImageRef target = request.target();
    if (e instanceof RegistryUnauthorizedException) {
      return new RegistryException(RegistryException.Kind.UNAUTHORIZED, target.registry(), target.toString(),
          "not authorized to pull " + request.base() + " or push " + target + ": " + e.getMessage(), e);
    }
    if (e instanceof InsecureRegistryException) {
      return new RegistryException(RegistryException.Kind.REJECTED, target.registry(), target.toString(),
          e.getMessage() + "; list the registry with --insecure-registry if it speaks plain HTTP", e);
    }
    if (e instanceof ResponseException r && r.getStatusCode() >= 400 && r.getStatusCode() < 500 && r.getStatusCode() != 429) {
      return new RegistryException(r.getStatusCode() == 404 ? RegistryException.Kind.NOT_FOUND : RegistryException.Kind.REJECTED,
          target.registry(), target.toString(), "registry answered " + r.getStatusCode() + " while building " + target, e);
    }
    return unreachable(target, e.getMessage(), e);
  }

  private static RegistryException unreachable(ImageRef target, String message, Throwable e) {
    return new RegistryException(RegistryException.Kind.UNREACHABLE, target.registry(), target.toString(),
        "could not build and push " + target + ": " + message, e);
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
