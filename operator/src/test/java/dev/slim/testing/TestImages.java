package dev.slim.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slim.registry.Descriptor;
import dev.slim.registry.ImageRef;
import dev.slim.registry.Manifest;
import dev.slim.registry.RegistryCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Seeds test images into a registry over raw HTTP (not through the code under test) and reads
 * it back for assertions.
 *
 * <pre>{@code
 * TestImages images = new TestImages(RegistryServer.shared());
 * PushedImage base = images.image().platform("linux/amd64").env("PATH=/usr/bin")
 *     .layer(Layer.of(Map.of("etc/os-release", "ID=base\n")), "ADD rootfs /").push("base:1");
 * PushedImage app = images.on(base).layer(Layer.of(Map.of("app/run", "hi")), "COPY app /app")
 *     .entrypoint("/app/run").push("shop/app:1");
 * PushedImage index = images.index(true).child(app).push("shop/app:multi");
 * }</pre>
 */
public final class TestImages {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryHttp http;

  public TestImages(RegistryServer server) {
    this(server.host(), server.credentials());
  }

  /** For any plain-HTTP registry; Basic auth is sent when {@code credentials} has a login for it. */
  public TestImages(String registry, RegistryCredentials credentials) {
    this.http = new RegistryHttp(registry, credentials);
  }

  public String host() {
    return http.host();
  }

  /** A new image: linux/amd64, OCI, empty config, no layers. */
  public ImageSpec image() {
    return new ImageSpec(this);
  }

  /** An app on {@code base}: starts from its config, layers, diff_ids, history and manifest family. */
  public ImageSpec on(PushedImage base) {
    return new ImageSpec(this, base);
  }

  /** An OCI image index ({@code oci}) or a Docker manifest list. */
  public IndexSpec index(boolean oci) {
    return new IndexSpec(this, oci);
  }

  /** Pushes manifest bytes as they are (e.g. with unknown fields) under {@code repo:reference}. */
  public PushedImage pushManifest(String repoColonReference, Manifest manifest) {
    ImageRef ref = ImageRef.parse(host() + "/" + repoColonReference);
    http.putManifest(ref.repository(), ref.reference(), manifest.mediaType(), manifest.bytes());
    return new PushedImage(ref, manifest.digest(), manifest.mediaType(), manifest.bytes(), null, List.of());
  }

  /** The tags of a repository, empty when it does not exist. */
  public List<String> tags(String repo) {
    HttpResponse<byte[]> r = http.get("/v2/" + repo + "/tags/list");
    List<String> tags = new ArrayList<>();
    if (r.statusCode() == 200) {
      read(r.body()).path("tags").forEach(t -> tags.add(t.asText()));
    }
    return tags;
  }

  /** True when {@code ref}'s tag or digest resolves in its repository on this registry. */
  public boolean manifestExists(ImageRef ref) {
    return http.getManifest(ref.repository(), ref.reference()).statusCode() == 200;
  }

  /** The manifest bytes {@code ref} points to, as the registry serves them. */
  public byte[] manifestBytes(ImageRef ref) {
    HttpResponse<byte[]> r = http.getManifest(ref.repository(), ref.reference());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(ref + ": " + r.statusCode());
    }
    return r.body();
  }

  public boolean blobExists(String repo, dev.slim.registry.Digest digest) {
    return http.hasBlob(repo, digest);
  }

  RegistryHttp http() {
    return http;
  }

  /** Copies an image (blobs by mount, manifest by digest) into another repository of this registry. */
  void copy(PushedImage image, String toRepo) {
    String from = image.ref().repository();
    if (image.config() != null) {
      http.putBlob(toRepo, image.config());
      for (Descriptor d : image.layers()) {
        http.copyBlob(toRepo, d.digest(), from, () -> http.getBlob(from, d.digest()));
      }
    }
    http.putManifest(toRepo, image.digest().value(), image.mediaType(), image.manifest());
  }

  private static JsonNode read(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
