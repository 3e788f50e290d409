package dev.slim.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes a ustar archive with fixed metadata, enough for test layers (no library needed). */
final class TarArchive {

  enum Type { FILE, DIR, SYMLINK }

  record Entry(String path, Type type, int mode, byte[] content, String linkTarget) {}

  /** 2020-01-01T00:00:00Z: a fixed mtime keeps layer digests stable. */
  private static final long MTIME = 1577836800L;

  private TarArchive() {}

  static byte[] write(List<Entry> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Entry e : entries) {
      out.writeBytes(header(e));
      out.writeBytes(e.content());
      out.writeBytes(new byte[(512 - e.content().length % 512) % 512]);
    }
    out.writeBytes(new byte[1024]); // two zero blocks end the archive
    return out.toByteArray();
  }

  private static byte[] header(Entry e) {
    byte[] h = new byte[512];
    String name = e.path();
    String prefix = "";
    if (name.getBytes(StandardCharsets.UTF_8).length > 100) {
      int split = name.lastIndexOf('/', name.length() - 2);
      prefix = name.substring(0, split);
      name = name.substring(split + 1);
    }
    put(h, 0, 100, name);
    octal(h, 100, 8, e.mode());
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, e.content().length);
    octal(h, 136, 12, MTIME);
    h[156] = switch (e.type()) {
      case FILE -> '0';
      case SYMLINK -> '2';
      case DIR -> '5';
    };
    if (e.linkTarget() != null) {
      put(h, 157, 100, e.linkTarget());
    }
    put(h, 257, 6, "ustar");
    put(h, 263, 2, "00");
    put(h, 265, 32, "root");
    put(h, 297, 32, "root");
    put(h, 345, 155, prefix);
    for (int i = 148; i < 156; i++) {
      h[i] = ' '; // the checksum is computed with its own field as spaces
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, 8, String.format("%06o", sum) + "\0 ");
    return h;
  }

  private static void octal(byte[] h, int offset, int length, long value) {
    put(h, offset, length, String.format("%0" + (length - 1) + "o", value));
  }

  private static void put(byte[] h, int offset, int length, String value) {
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    if (b.length > length) {
      throw new IllegalArgumentException("'" + value + "' does not fit a " + length + "-byte tar field");
    }
    System.arraycopy(b, 0, h, offset, b.length);
  }
}
