package dev.slim.registry.jib;

import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.blob.Blob;
import com.google.cloud.tools.jib.blob.Blobs;
import com.google.cloud.tools.jib.registry.RegistryClient;
import dev.slim.registry.BlobTransfer;
import dev.slim.registry.Descriptor;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.Manifest;
import dev.slim.registry.RegistryCredentials;
import dev.slim.registry.RegistryOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link ImageRegistry} port on jib-core's registry client: blobs (check, pull, mount, upload)
 * and manifest pushes go through jib; manifest HEAD and GET go through {@link ManifestFetcher}
 * because jib cannot return a manifest's bytes untouched.
 *
 * <p>Create one per unit of work (a rebase, a reconcile) and close it: clients and tokens are
 * cached for its lifetime, and jib keeps one HTTP transport per request until it is shut down.
 */
public final class JibImageRegistry implements ImageRegistry {

  private final ObservedHttpClient tlsHttp;
  private final ObservedHttpClient plainHttp;
  private final AuthenticatedClients clients;
  private final ManifestFetcher manifests;
  private final RetryPolicy retry;

  public JibImageRegistry(RegistryCredentials credentials, RegistryOptions options) {
    this.tlsHttp = new ObservedHttpClient(false, host -> false, options.observer());
    this.plainHttp = new ObservedHttpClient(true, options::isInsecure, options.observer());
    this.clients = new AuthenticatedClients(credentials, r -> options.isInsecure(r) ? plainHttp : tlsHttp);
    this.manifests = new ManifestFetcher(credentials, options);
    this.retry = new RetryPolicy(options.maxAttempts(), options.maxBackoff(), d -> Thread.sleep(d.toMillis()));
  }

  @Override
  public Digest resolve(ImageRef ref) {
    return retry.run(action(ref, ref.toString(), "resolve"), () -> manifests.head(ref))
        .orElseGet(() -> pullManifest(ref).digest());
  }

  @Override
  public Manifest pullManifest(ImageRef ref) {
    return retry.run(action(ref, ref.toString(), "pull the manifest of"), () -> manifests.get(ref));
  }

  @Override
  public byte[] pullBlob(ImageRef repository, Digest digest) {
    return retry.run(action(repository, blobName(repository, digest), "pull blob"), () ->
        Blobs.writeToByteArray(clients.pull(repository).pullBlob(jib(digest), size -> {}, written -> {})));
  }

  /**
   * jib's client only writes a blob into an OutputStream, so the blob is spooled to a temporary
   * file (deleted when the stream is closed) inside the retry: a dropped connection restarts the
   * download, and a layer of any size never sits in memory.
   */
  @Override
  public InputStream openBlob(ImageRef repository, Digest digest) {
    return retry.run(action(repository, blobName(repository, digest), "pull blob"), () -> {
      Path spool = Files.createTempFile("slimimage-blob-", ".spool");
      try {
        try (OutputStream out = Files.newOutputStream(spool)) {
          clients.pull(repository).pullBlob(jib(digest), size -> {}, written -> {}).writeTo(out);
        }
        return Files.newInputStream(spool, StandardOpenOption.DELETE_ON_CLOSE);
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(spool);
        throw e;
      }
    });
  }

  @Override
  public BlobTransfer copyBlob(ImageRef source, ImageRef target, Descriptor blob) {
    boolean sameRegistry = source.registry().equals(target.registry());
    String mountFrom = sameRegistry && !source.sameRepository(target) ? source.repository() : null;
    Action toTarget = action(target, blobName(target, blob.digest()), "copy blob from " + source.repositoryName() + " to");
    if (retry.run(toTarget, () -> clients.push(target, mountFrom).checkBlob(jib(blob.digest())).isPresent())) {
      return BlobTransfer.existed();
    }
    if (!sameRegistry) {
      // The source side first, so a missing blob or a refused login there names the source.
      Action fromSource = action(source, blobName(source, blob.digest()), "copy blob to " + target.repositoryName() + " from");
      retry.run(fromSource, () -> clients.pull(source).checkBlob(jib(blob.digest()))
          .orElseThrow(() -> new HttpStatusException(404, null, "blob unknown")));
    }
    return retry.run(toTarget, () -> {
      DescriptorDigest digest = jib(blob.digest());
      // Lazy: the source is read only if the registry refuses the mount (or across registries),
      // and then streamed chunk by chunk into the upload, never held whole in memory.
      Blob content = clients.pull(source).pullBlob(digest, size -> {}, written -> {});
      AtomicLong uploaded = new AtomicLong();
      boolean mounted = clients.push(target, mountFrom).pushBlob(digest, content, mountFrom, uploaded::addAndGet);
      return mounted ? BlobTransfer.mounted() : BlobTransfer.uploaded(uploaded.get());
    });
  }

  @Override
  public BlobTransfer pushBlob(ImageRef target, byte[] content) {
    Digest digest = Digest.of(content);
    return retry.run(action(target, blobName(target, digest), "push blob"), () -> {
      RegistryClient to = clients.push(target, null);
      if (to.checkBlob(jib(digest)).isPresent()) {
        return BlobTransfer.existed();
      }
      to.pushBlob(jib(digest), Blobs.from(out -> out.write(content), true), null, written -> {});
      return BlobTransfer.uploaded(content.length);
    });
  }

  @Override
  public Digest pushManifest(ImageRef target, Manifest manifest) {
    String reference = target.tag() != null ? target.tag() : manifest.digest().value();
    RawManifestTemplate template = new RawManifestTemplate(manifest);
    // jib compares the Docker-Content-Digest the registry answers with the digest of the bytes it
    // sent and returns that digest (logging a warning on a mismatch).
    return retry.run(action(target, target.repositoryName() + ":" + reference, "push manifest"), () ->
        Digest.parse(clients.push(target, null).pushManifest(template, reference).toString()));
  }

  @Override
  public void close() {
    try {
      tlsHttp.shutDown();
      plainHttp.shutDown();
    } catch (IOException e) {
      JibEvents.log(com.google.cloud.tools.jib.api.LogEvent.debug("closing HTTP transports: " + e));
    }
  }

  private Action action(ImageRef ref, String image, String verb) {
    return new Action(ref.registry(), image, verb, clients.hasCredentials(ref.registry()));
  }

  private static String blobName(ImageRef repository, Digest digest) {
    return repository.repositoryName() + "@" + digest;
  }

  private static DescriptorDigest jib(Digest digest) throws DigestException {
    return DescriptorDigest.fromDigest(digest.value());
  }
}
