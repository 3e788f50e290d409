package dev.slim.shrink;

import java.nio.file.Path;
import java.time.Instant;

/**
 * One entry of an image filesystem as its layers left it.
 *
 * @param type what the entry is
 * @param mode permission bits including setuid, setgid and sticky (07777)
 * @param uid numeric owner
 * @param gid numeric group
 * @param modified modification time as recorded in the layer
 * @param linkTarget a symlink's target exactly as written (relative or absolute); null otherwise
 * @param size a regular file's size in bytes
 * @param spooled where a selected file's bytes were written on local disk; null when not kept
 * @param head the file's first bytes (all of them for package databases); null when not kept
 */
public record FileNode(
    Type type, int mode, long uid, long gid, Instant modified, String linkTarget, long size, Path spooled, byte[] head) {

  /** Entry types; devices, fifos and sockets are OTHER and never part of an app. */
  public enum Type { FILE, DIRECTORY, SYMLINK, OTHER }

  public boolean isFile() {
    return type == Type.FILE;
  }

  public boolean isDirectory() {
    return type == Type.DIRECTORY;
  }

  public boolean isSymlink() {
    return type == Type.SYMLINK;
  }

  /** True when any of the owner, group or other execute bits is set. */
  public boolean executable() {
    return (mode & 0111) != 0;
  }

  /** True when {@link #head} holds the whole file. */
  public boolean headIsWhole() {
    return head != null && head.length == size;
  }
}
