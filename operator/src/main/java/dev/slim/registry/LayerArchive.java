package dev.slim.registry;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Opens a layer blob as the tar archive inside it, whatever compression its media type claims. */
public final class LayerArchive {

  /** A layer compressed with something we cannot read (zstd). */
  public static final class UnsupportedCompressionException extends IOException {
    UnsupportedCompressionException(String message) {
      super(message);
    }
  }

  private LayerArchive() {}

  /**
   * The tar stream of a gzip-compressed or uncompressed layer. The compression is told from the
   * first bytes, not from the media type, because registries and tools get the latter wrong.
   */
  public static TarArchiveInputStream open(InputStream blob) throws IOException {
    BufferedInputStream in = blob instanceof BufferedInputStream b ? b : new BufferedInputStream(blob, 65536);
    in.mark(4);
    byte[] magic = in.readNBytes(4);
    in.reset();
    if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
      return new TarArchiveInputStream(new GZIPInputStream(in, 65536));
    }
    if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
        && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
      throw new UnsupportedCompressionException("the layer is zstd-compressed, which is not read yet");
    }
    return new TarArchiveInputStream(in);
  }
}
