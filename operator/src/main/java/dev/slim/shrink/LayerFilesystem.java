package dev.slim.shrink;

import dev.slim.registry.LayerArchive;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Applies image layers, oldest first, to a {@link FileTree} the way a container runtime
 * unpacks them: {@code .wh.NAME} deletes NAME from the layers below, {@code .wh..wh..opq}
 * empties a directory of what the layers below put there, and a later entry replaces an
 * earlier one (a non-directory replacing a directory takes its subtree with it).
 *
 * <p>A {@link Keep} policy says how much of each path to hold: reading a 200 MB image only
 * spools the selected app files to disk and keeps the rest as metadata or not at all.
 */
public final class LayerFilesystem {

  /** How much of a path to keep. */
  public enum Level {
    /** Not at all: it cannot matter to this tree's reader. */
    SKIP,
    /** Type, mode, owner, time and link target. */
    METADATA,
    /** Metadata, plus the first {@link #HEAD_BYTES} bytes of executable files (for entrypoint checks). */
    HEAD,
    /** Metadata and the whole content in memory (small files such as package databases). */
    WHOLE,
    /** Metadata and the whole content spooled to a file on disk (app files). */
    SPOOL
  }

  /** Decides the {@link Level} of each absolute path. */
  @FunctionalInterface
  public interface Keep {
    Level level(String path);
  }

  /** Enough for an ELF header, its program headers and PT_INTERP, or a #! line. */
  public static final int HEAD_BYTES = 4096;

  private static final String WHITEOUT = ".wh.";
  private static final String OPAQUE = ".wh..wh..opq";

  private final FileTree tree;
  private final Keep keep;
  private final Path spoolDir;
  private long spooled;

  /** @param spoolDir where SPOOL files go; the caller deletes it when done */
  public LayerFilesystem(FileTree tree, Keep keep, Path spoolDir) {
    this.tree = tree;
    this.keep = keep;
    this.spoolDir = spoolDir;
  }

  public FileTree tree() {
    return tree;
  }

  /** Applies one layer blob: gzip-compressed or plain tar. */
  public void apply(InputStream blob, String layerName) {
    try {
      BufferedInputStream in = new BufferedInputStream(blob, 65536);
      TarArchiveInputStream tar;
      try {
        tar = LayerArchive.open(in);
      } catch (LayerArchive.UnsupportedCompressionException e) {
        throw new ShrinkException(ShrinkException.UNSUPPORTED_LAYER,
            "layer " + layerName + " is zstd-compressed, which shrink does not read yet; rebuild the app with gzip layers");
      }
      applyTar(tar, layerName);
      // Drain so a caller verifying the blob's digest sees every byte.
      in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read layer " + layerName + ": " + e.getMessage(), e);
    }
  }

  private void applyTar(TarArchiveInputStream tar, String layerName) throws IOException {
    Set<String> addedHere = new HashSet<>();
    TarArchiveEntry entry;
    while ((entry = tar.getNextEntry()) != null) {
      String path = FileTree.normalize(entry.getName());
      String base = path.substring(path.lastIndexOf('/') + 1);
      String dir = FileTree.parent(path);
      if (base.equals(OPAQUE)) {
        tree.removeChildren(dir, addedHere::contains);
        continue;
      }
      if (base.startsWith(WHITEOUT)) {
        String hidden = dir.equals("/") ? "/" + base.substring(WHITEOUT.length()) : dir + "/" + base.substring(WHITEOUT.length());
        tree.remove(hidden);
        continue;
      }
      if (path.equals("/")) {
        continue;
      }
      Level level = keep.level(path);
      if (level == Level.SKIP) {
        continue;
      }
      FileNode node = entry.isLink() ? hardLink(entry, path, layerName) : node(entry, tar, level);
      FileNode below = tree.get(path).orElse(null);
      if (below != null && !(below.isDirectory() && node.isDirectory())) {
        tree.remove(path);
      }
      tree.put(path, node);
      addedHere.add(path);
    }
  }

  private FileNode node(TarArchiveEntry entry, TarArchiveInputStream tar, Level level) throws IOException {
    FileNode.Type type;
    if (entry.isDirectory()) {
      type = FileNode.Type.DIRECTORY;
    } else if (entry.isSymbolicLink()) {
      type = FileNode.Type.SYMLINK;
    } else if (entry.isFile()) {
      type = FileNode.Type.FILE;
    } else {
      type = FileNode.Type.OTHER;
    }
    int mode = entry.getMode() & 07777;
    Path spool = null;
    byte[] head = null;
    if (type == FileNode.Type.FILE) {
      switch (level) {
        case SPOOL -> {
          spool = spoolDir.resolve(Long.toString(spooled++));
          Files.copy(tar, spool);
        }
        case WHOLE -> head = tar.readAllBytes();
        case HEAD -> head = (mode & 0111) != 0 ? tar.readNBytes(HEAD_BYTES) : null;
        default -> { }
      }
    }
    return new FileNode(type, mode, entry.getLongUserId(), entry.getLongGroupId(),
        entry.getLastModifiedTime().toInstant(), type == FileNode.Type.SYMLINK ? entry.getLinkName() : null,
        type == FileNode.Type.FILE ? entry.getSize() : 0, spool, head);
  }

  /** A hard link shares its target's content; the target came earlier in this or a lower layer. */
  private FileNode hardLink(TarArchiveEntry entry, String path, String layerName) {
    String target = FileTree.normalize(entry.getLinkName());
    return tree.get(target).orElseThrow(() -> new ShrinkException(ShrinkException.UNSUPPORTED_LAYER,
        "layer " + layerName + " hard-links " + path + " to " + target
            + ", which is outside the selected paths; select " + target + " too"));
  }
}
