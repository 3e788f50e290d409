package dev.slim.shrink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * An image filesystem held as sorted absolute paths: what applying layers produces and what
 * the checks and the package inventory read. Sorted so a directory's subtree is one key range,
 * which makes whiteouts of large directories cheap.
 */
public final class FileTree {

  /** How many symlinks one lookup may follow, as Linux's MAXSYMLINKS. */
  private static final int MAX_LINKS = 40;

  private final TreeMap<String, FileNode> nodes = new TreeMap<>();

  /** A path after following symlinks, and the entry found there. */
  public record Resolved(String path, FileNode node) {}

  /** {@code ./a/b/}, {@code a/b} and {@code /a//b} all become {@code /a/b}; the root is {@code /}. */
  public static String normalize(String name) {
    Deque<String> parts = new ArrayDeque<>();
    for (String part : name.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        parts.pollLast();
      } else {
        parts.addLast(part);
      }
    }
    return "/" + String.join("/", parts);
  }

  public static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }

  public void put(String path, FileNode node) {
    nodes.put(path, node);
  }

  public Optional<FileNode> get(String path) {
    return Optional.ofNullable(nodes.get(path));
  }

  /** Removes a path and, when it is a directory, everything under it. */
  public void remove(String path) {
    nodes.remove(path);
    children(path).clear();
  }

  /** Removes everything under a directory except the paths {@code keep} accepts (an opaque directory). */
  public void removeChildren(String dir, Predicate<String> keep) {
    children(dir).keySet().removeIf(keep.negate());
  }

  /** Everything strictly under {@code dir}, as a live view. */
  public NavigableMap<String, FileNode> children(String dir) {
    String prefix = dir.equals("/") ? "/" : dir + "/";
    // '0' is the character after '/', so this range holds exactly the paths starting with prefix.
    String end = dir.equals("/") ? "0" : dir + "0";
    return nodes.subMap(prefix, true, end, false);
  }

  /** The path and everything under it, in path order. */
  public NavigableMap<String, FileNode> subtree(String path) {
    TreeMap<String, FileNode> result = new TreeMap<>(children(path));
    FileNode self = nodes.get(path);
    if (self != null) {
      result.put(path, self);
    }
    return Collections.unmodifiableNavigableMap(result);
  }

  public NavigableMap<String, FileNode> all() {
    return Collections.unmodifiableNavigableMap(nodes);
  }

  /** A copy of this tree with {@code upper}'s entries laid over it, as a later layer would. */
  public FileTree overlay(FileTree upper) {
    FileTree merged = new FileTree();
    merged.nodes.putAll(nodes);
    upper.nodes.forEach((path, node) -> {
      FileNode below = merged.nodes.get(path);
      if (below != null && !(below.isDirectory() && node.isDirectory())) {
        merged.remove(path);
      }
      merged.nodes.put(path, node);
    });
    return merged;
  }

  /**
   * Looks a path up as the kernel would inside the image: every symlink on the way is
   * followed, relative ones from their own directory, absolute ones from the image root.
   */
  public Optional<Resolved> resolve(String path) {
    List<String> pending = new ArrayList<>(List.of(normalize(path).substring(1).split("/")));
    String current = "/";
    int links = 0;
    while (!pending.isEmpty()) {
      String part = pending.remove(0);
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        current = parent(current);
        continue;
      }
      String candidate = current.equals("/") ? "/" + part : current + "/" + part;
      FileNode node = nodes.get(candidate);
      if (node == null && !pending.isEmpty() && !children(candidate).isEmpty()) {
        // Layers need not carry their parent directories, and a reader may have skipped them.
        current = candidate;
        continue;
      }
      if (node == null) {
        return Optional.empty();
      }
      if (node.isSymlink()) {
        if (++links > MAX_LINKS) {
          return Optional.empty();
        }
        String target = node.linkTarget();
        List<String> next = new ArrayList<>(List.of(target.split("/")));
        next.addAll(pending);
        pending = next;
        if (target.startsWith("/")) {
          current = "/";
        }
        continue;
      }
      if (!node.isDirectory() && pending.stream().anyMatch(p -> !p.isEmpty() && !p.equals("."))) {
        return Optional.empty();
      }
      current = candidate;
    }
    return current.equals("/") ? Optional.of(new Resolved("/", rootNode())) : Optional.of(new Resolved(current, nodes.get(current)));
  }

  /** The whole content of a regular file, when this tree kept it. */
  public Optional<byte[]> read(String path) {
    return resolve(path).map(Resolved::node).filter(FileNode::isFile).flatMap(FileTree::content);
  }

  /** The first bytes of a regular file, when this tree kept them. */
  static Optional<byte[]> head(FileNode node, int max) {
    if (node.spooled() != null) {
      try (var in = Files.newInputStream(node.spooled())) {
        return Optional.of(in.readNBytes(max));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return Optional.ofNullable(node.head());
  }

  private static Optional<byte[]> content(FileNode node) {
    if (node.spooled() != null) {
      try {
        return Optional.of(Files.readAllBytes(node.spooled()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return node.headIsWhole() ? Optional.of(node.head()) : Optional.empty();
  }

  private FileNode rootNode() {
    return nodes.getOrDefault("/", new FileNode(FileNode.Type.DIRECTORY, 0755, 0, 0, null, null, 0, null, null));
  }
}
