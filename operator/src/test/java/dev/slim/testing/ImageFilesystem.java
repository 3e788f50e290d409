package dev.slim.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * An image read back from a plain-HTTP registry without auth: its manifest, config and layers,
 * unpacked in order into a directory so a test can look at (or run) what a container would see.
 * Handles what image builders write: regular files, directories, symlinks, PAX long names.
 */
public final class ImageFilesystem {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final JsonNode manifest;
  private final JsonNode config;
  /** Every path in any layer (also ones a later layer replaces), by the layer index that wrote it last. */
  private final Map<String, Integer> paths = new LinkedHashMap<>();
  private final Path root;

  private ImageFilesystem(JsonNode manifest, JsonNode config, Path root) {
    this.manifest = manifest;
    this.config = config;
    this.root = root;
  }

  /** Pulls {@code host/repo:reference} and unpacks its layers under {@code root}. */
  public static ImageFilesystem pull(String host, String repo, String reference, Path root) {
    JsonNode manifest = json(get(host, "/v2/" + repo + "/manifests/" + reference,
        "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"));
    JsonNode config = json(get(host, "/v2/" + repo + "/blobs/" + manifest.path("config").path("digest").asText(), "*/*"));
    ImageFilesystem fs = new ImageFilesystem(manifest, config, root);
    int i = 0;
    for (JsonNode layer : manifest.path("layers")) {
      byte[] blob = get(host, "/v2/" + repo + "/blobs/" + layer.path("digest").asText(), "*/*");
      fs.unpack(blob, i++);
    }
    return fs;
  }

  public JsonNode manifest() {
    return manifest;
  }

  public JsonNode config() {
    return config;
  }

  public Path root() {
    return root;
  }

  /** Entry paths without leading slash ("usr/bin/java", "app/libs/"). */
  public Map<String, Integer> paths() {
    return paths;
  }

  /** Compressed size of layers {@code from} (inclusive) to the end, in bytes. */
  public long layerBytes(int from) {
    long total = 0;
    for (int i = from; i < manifest.path("layers").size(); i++) {
      total += manifest.path("layers").get(i).path("size").asLong();
    }
    return total;
  }

  private void unpack(byte[] gzip, int layer) {
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(new ByteArrayInputStream(gzip)))) {
      String paxPath = null;
      byte[] header = new byte[512];
      while (true) {
        try {
          in.readFully(header);
        } catch (EOFException end) {
          return;
        }
        if (header[0] == 0) {
          return; // the two zero blocks that end an archive
        }
        String name = text(header, 0, 100);
        String prefix = text(header, 345, 155);
        if (!prefix.isEmpty()) {
          name = prefix + "/" + name;
        }
        long size = Long.parseLong(text(header, 124, 12).trim().isEmpty() ? "0" : text(header, 124, 12).trim(), 8);
        char type = (char) header[156];
        byte[] data = in.readNBytes((int) size);
        in.skipNBytes((512 - size % 512) % 512);
        if (type == 'x') {
          paxPath = paxValue(data, "path");
          continue;
        }
        if (type == 'g') {
          continue;
        }
        if (paxPath != null) {
          name = paxPath;
          paxPath = null;
        }
        name = name.startsWith("./") ? name.substring(2) : name.startsWith("/") ? name.substring(1) : name;
        paths.put(name, layer);
        write(name, type, data, text(header, 157, 100));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack layer " + layer, e);
    }
  }

  private void write(String name, char type, byte[] data, String linkTarget) throws IOException {
    Path target = root.resolve(name).normalize();
    if (!target.startsWith(root)) {
      throw new IOException("layer entry escapes the root: " + name);
    }
    switch (type) {
      case '5' -> Files.createDirectories(target);
      case '2' -> {
        Files.createDirectories(target.getParent());
        Files.deleteIfExists(target);
        Files.createSymbolicLink(target, Path.of(linkTarget));
      }
      case '0', '\0' -> {
        Files.createDirectories(target.getParent());
        Files.deleteIfExists(target);
        Files.write(target, data);
      }
      default -> { } // devices, hard links: none in the images tests build
    }
  }

  private static String paxValue(byte[] records, String key) {
    // Records are "LEN key=value\n"; the lengths count bytes, the values are UTF-8.
    String all = new String(records, StandardCharsets.UTF_8);
    for (String line : all.split("\n")) {
      int space = line.indexOf(' ');
      if (space > 0 && line.startsWith(key + "=", space + 1)) {
        return line.substring(space + 2 + key.length());
      }
    }
    return null;
  }

  private static String text(byte[] b, int offset, int length) {
    int end = offset;
    while (end < offset + length && b[end] != 0) {
      end++;
    }
    return new String(b, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static byte[] get(String host, String path, String accept) {
    try {
      HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host + path)).header("Accept", accept).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET " + path + ": " + r.statusCode());
      }
      return r.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Lists the file names of the unpacked tree that match {@code names}, for "no shell" checks. */
  public List<String> present(List<String> names) {
    List<String> found = new ArrayList<>();
    for (String n : names) {
      if (paths.containsKey(n) || Files.exists(root.resolve(n), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        found.add(n);
      }
    }
    return found;
  }
}
