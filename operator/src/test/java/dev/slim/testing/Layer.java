package dev.slim.testing;

import dev.slim.registry.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * A deterministic image layer: a tar (fixed mtime, uid/gid 0, modes 0644/0755) gzip'd, with its
 * diff_id (sha256 of the tar) and digest (sha256 of the gzip). Same entries, same digests.
 *
 * <pre>{@code
 * Layer.of(Map.of("etc/os-release", "ID=slim\n"));
 * Layer.builder().dir("app").executable("app/run", "#!/bin/sh\necho hi\n")
 *     .symlink("usr/bin/run", "/app/run").whiteout("etc/motd").build();
 * }</pre>
 */
public record Layer(byte[] tar, byte[] gzip, Digest diffId, Digest digest) {

  /** Regular files (path -> UTF-8 content), written in path order. */
  public static Layer of(Map<String, String> files) {
    Builder b = builder();
    new TreeMap<>(files).forEach(b::file);
    return b.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public long size() {
    return gzip.length;
  }

  /** Adds entries in call order; paths are relative ("etc/passwd"), parents are not implied. */
  public static final class Builder {
    private final List<TarArchive.Entry> entries = new ArrayList<>();

    public Builder file(String path, String content) {
      return file(path, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    public Builder executable(String path, String content) {
      return file(path, content.getBytes(StandardCharsets.UTF_8), 0755);
    }

    public Builder file(String path, byte[] content, int mode) {
      entries.add(new TarArchive.Entry(path, TarArchive.Type.FILE, mode, content, null));
      return this;
    }

    public Builder dir(String path) {
      entries.add(new TarArchive.Entry(path.endsWith("/") ? path : path + "/", TarArchive.Type.DIR, 0755, new byte[0], null));
      return this;
    }

    public Builder symlink(String path, String target) {
      entries.add(new TarArchive.Entry(path, TarArchive.Type.SYMLINK, 0777, new byte[0], target));
      return this;
    }

    /** Deletes {@code path} of a lower layer: an empty {@code .wh.NAME} file next to it. */
    public Builder whiteout(String path) {
      int slash = path.lastIndexOf('/');
      String wh = path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1);
      return file(wh, new byte[0], 0644);
    }

    public Layer build() {
      byte[] tar = TarArchive.write(entries);
      ByteArrayOutputStream gz = new ByteArrayOutputStream();
      // java's GZIPOutputStream writes mtime 0 and no file name: the output is reproducible.
      try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
        out.write(tar);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      byte[] gzip = gz.toByteArray();
      return new Layer(tar, gzip, Digest.of(tar), Digest.of(gzip));
    }
  }
}
