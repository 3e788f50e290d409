package dev.slim.shrink;

import dev.slim.registry.LayeredImageBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The files a shrink takes from the app: the selected paths with everything under them and
 * their parent directories, cut into one layer per path so a change to one (the jar) does not
 * re-upload another (the dependencies).
 *
 * <p>jib's file layers hold regular files and directories with nine permission bits only, so
 * symlinks are set aside for a separate layer (see {@link SymlinkLayer}) and setuid, setgid and
 * sticky bits are dropped with a warning; devices and fifos are left out with a warning.
 */
public final class AppFiles {

  /** A symlink to put in the image as a symlink. */
  public record Link(String path, FileNode node) {}

  private final FileTree tree = new FileTree();
  private final List<String> roots;

  private AppFiles(List<String> roots) {
    this.roots = roots;
  }

  /** The selected part of {@code app}: every root must exist there. */
  public static AppFiles select(FileTree app, List<String> roots) {
    AppFiles files = new AppFiles(roots);
    List<String> missing = new ArrayList<>();
    for (String root : roots) {
      // A layer need not carry a directory entry for every directory it fills.
      if (app.get(root).isEmpty() && app.children(root).isEmpty()) {
        missing.add(root);
        continue;
      }
      for (String dir = FileTree.parent(root); !dir.equals("/"); dir = FileTree.parent(dir)) {
        String ancestor = dir;
        app.get(ancestor).filter(FileNode::isDirectory).ifPresent(node -> files.tree.put(ancestor, node));
      }
      app.subtree(root).forEach(files.tree::put);
    }
    if (!missing.isEmpty()) {
      throw new ShrinkException(ShrinkException.PATH_NOT_FOUND, "the app image has no " + String.join(", ", missing)
          + " (paths are looked up literally: a path under a symlinked directory must be given by its real location)");
    }
    return files;
  }

  public FileTree tree() {
    return tree;
  }

  /**
   * Refuses to lay a directory over a symlink of the slim base: on a merged-/usr base
   * {@code /bin -> usr/bin}, an app directory {@code /bin} would replace the link and break the base.
   */
  public void checkAgainst(FileTree slimBase) {
    for (String root : roots) {
      for (String path = root; !path.equals("/"); path = FileTree.parent(path)) {
        String at = path;
        slimBase.get(at).filter(FileNode::isSymlink).filter(link -> tree.get(at).map(n -> !n.isSymlink()).orElse(false))
            .ifPresent(link -> {
              throw new ShrinkException(ShrinkException.UNSUPPORTED_LAYER, at + " is a symlink to " + link.linkTarget()
                  + " in the slim base but a directory or file in the app; moving " + root + " there would break the base");
            });
      }
    }
  }

  /** One file layer per root, in the order given; a root under an earlier root adds nothing new. */
  public List<LayeredImageBuilder.FileLayer> layers(Path emptyDir, List<String> warnings) {
    List<LayeredImageBuilder.FileLayer> layers = new ArrayList<>();
    Set<String> emitted = new HashSet<>();
    for (String root : roots) {
      Map<String, FileNode> entries = new LinkedHashMap<>();
      for (String dir = FileTree.parent(root); !dir.equals("/"); dir = FileTree.parent(dir)) {
        String ancestor = dir;
        tree.get(ancestor).ifPresent(node -> entries.put(ancestor, node));
      }
      tree.subtree(root).forEach((path, node) -> {
        if (emitted.add(path)) {
          entries.put(path, node);
        }
      });
      List<LayeredImageBuilder.FileEntry> files = new ArrayList<>();
      entries.forEach((path, node) -> {
        switch (node.type()) {
          case DIRECTORY -> files.add(entry(emptyDir, path, node, warnings));
          case FILE -> files.add(entry(node.spooled(), path, node, warnings));
          case SYMLINK -> { }
          case OTHER -> warnings.add(path + " is a device, fifo or socket; left out");
        }
      });
      if (!files.isEmpty()) {
        layers.add(new LayeredImageBuilder.FileLayer(root, files));
      }
    }
    return layers;
  }

  /** The symlinks among the selected files, in path order. */
  public List<Link> symlinks() {
    List<Link> links = new ArrayList<>();
    tree.all().forEach((path, node) -> {
      if (node.isSymlink()) {
        links.add(new Link(path, node));
      }
    });
    return links;
  }

  private static LayeredImageBuilder.FileEntry entry(Path source, String path, FileNode node, List<String> warnings) {
    if ((node.mode() & 07000) != 0) {
      warnings.add(path + " has mode " + Integer.toOctalString(node.mode()) + "; setuid, setgid and sticky bits are dropped");
    }
    return new LayeredImageBuilder.FileEntry(source, path, node.mode() & 0777, node.uid() + ":" + node.gid(), node.modified());
  }
}
