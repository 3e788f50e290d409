package dev.slim.registry;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A registry held in maps, for fast unit tests of everything above the port. Blobs are global
 * content plus a per-repository presence set, so mounts and uploads can be told apart.
 */
public class InMemoryImageRegistry implements ImageRegistry {

  private final Map<Digest, byte[]> content = new HashMap<>();
  private final Map<String, Set<Digest>> blobsByRepository = new HashMap<>();
  private final Map<String, Manifest> manifests = new HashMap<>();
  private final List<String> requests = new ArrayList<>();

  /** Stores a blob in a repository, as a test seeds an image. */
  public Digest putBlob(ImageRef repository, byte[] bytes) {
    Digest digest = Digest.of(bytes);
    content.put(digest, bytes);
    blobsByRepository.computeIfAbsent(repository.repositoryName(), k -> new HashSet<>()).add(digest);
    return digest;
  }

  /** Stores a manifest under a tag (and its digest), as a test seeds an image. */
  public Digest putManifest(ImageRef ref, Manifest manifest) {
    store(ref, manifest);
    return manifest.digest();
  }

  public boolean hasBlob(ImageRef repository, Digest digest) {
    return blobsByRepository.getOrDefault(repository.repositoryName(), Set.of()).contains(digest);
  }

  public boolean hasTag(ImageRef ref) {
    return manifests.containsKey(key(ref, ref.tag()));
  }

  /** Every request made, as {@code operation repository}, oldest first. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  @Override
  public Digest resolve(ImageRef ref) {
    requests.add("resolve " + ref);
    return find(ref).digest();
  }

  @Override
  public Manifest pullManifest(ImageRef ref) {
    requests.add("pullManifest " + ref);
    return find(ref);
  }

  @Override
  public byte[] pullBlob(ImageRef repository, Digest digest) {
    requests.add("pullBlob " + repository.repositoryName() + " " + digest);
    if (!hasBlob(repository, digest)) {
      throw notFound(repository, "blob " + digest);
    }
    return content.get(digest);
  }

  @Override
  public InputStream openBlob(ImageRef repository, Digest digest) {
    requests.add("openBlob " + repository.repositoryName() + " " + digest);
    if (!hasBlob(repository, digest)) {
      throw notFound(repository, "blob " + digest);
    }
    return new ByteArrayInputStream(content.get(digest));
  }

  @Override
  public BlobTransfer copyBlob(ImageRef source, ImageRef target, Descriptor blob) {
    requests.add("copyBlob " + source.repositoryName() + " -> " + target.repositoryName() + " " + blob.digest());
    if (hasBlob(target, blob.digest())) {
      return BlobTransfer.existed();
    }
    if (!hasBlob(source, blob.digest())) {
      throw notFound(source, "blob " + blob.digest());
    }
    blobsByRepository.computeIfAbsent(target.repositoryName(), k -> new HashSet<>()).add(blob.digest());
    return source.registry().equals(target.registry())
        ? BlobTransfer.mounted()
        : BlobTransfer.uploaded(content.get(blob.digest()).length);
  }

  @Override
  public BlobTransfer pushBlob(ImageRef target, byte[] bytes) {
    requests.add("pushBlob " + target.repositoryName());
    if (hasBlob(target, Digest.of(bytes))) {
      return BlobTransfer.existed();
    }
    putBlob(target, bytes);
    return BlobTransfer.uploaded(bytes.length);
  }

  @Override
  public Digest pushManifest(ImageRef target, Manifest manifest) {
    requests.add("pushManifest " + target);
    store(target, manifest);
    return manifest.digest();
  }

  private void store(ImageRef target, Manifest manifest) {
    manifests.put(key(target, manifest.digest().value()), manifest);
    if (target.tag() != null) {
      manifests.put(key(target, target.tag()), manifest);
    }
  }

  private Manifest find(ImageRef ref) {
    Manifest m = manifests.get(key(ref, ref.reference()));
    if (m == null) {
      throw notFound(ref, "manifest " + ref.reference());
    }
    return m;
  }

  private static String key(ImageRef ref, String reference) {
    return ref.repositoryName() + "|" + reference;
  }

  private static RegistryException notFound(ImageRef ref, String what) {
    return new RegistryException(
        RegistryException.Kind.NOT_FOUND, ref.registry(), ref.toString(), what + " not found in " + ref.repositoryName());
  }
}
