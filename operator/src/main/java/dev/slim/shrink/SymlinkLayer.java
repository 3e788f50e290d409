package dev.slim.shrink;

import dev.slim.registry.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A small layer holding the app's symlinks, which jib's file layers cannot express (jib tars a
 * symlink as a copy of its target). Byte-for-byte reproducible: entries in path order, owner,
 * mode and time from the app, gzip without a timestamp.
 *
 * @param compressed the layer blob (tar.gz)
 * @param diffId the digest of the uncompressed tar, for the config's rootfs
 */
public record SymlinkLayer(byte[] compressed, Digest diffId) {

  public static SymlinkLayer of(List<AppFiles.Link> links) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      ByteArrayOutputStream gz = new ByteArrayOutputStream();
      // java.util.zip writes a zero mtime and no file name, so equal tars give equal blobs.
      try (GZIPOutputStream zip = new GZIPOutputStream(gz);
          OutputStream tee = new DigestOutputStream(zip, sha);
          TarArchiveOutputStream tar = new TarArchiveOutputStream(tee)) {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        for (AppFiles.Link link : links) {
          TarArchiveEntry entry = new TarArchiveEntry(link.path().substring(1), TarConstants.LF_SYMLINK);
          entry.setLinkName(link.node().linkTarget());
          entry.setMode(0120000 | (link.node().mode() & 07777));
          entry.setUserId(link.node().uid());
          entry.setGroupId(link.node().gid());
          entry.setModTime(link.node().modified().toEpochMilli());
          tar.putArchiveEntry(entry);
          tar.closeArchiveEntry();
        }
        tar.finish();
      }
      return new SymlinkLayer(gz.toByteArray(), new Digest("sha256:" + HexFormat.of().formatHex(sha.digest())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
