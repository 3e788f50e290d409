package dev.slim.registry;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The port for building an image from files on top of a base image and pushing it: what a
 * shrink needs once it has chosen the files. The implementation (jib) owns layer tarring,
 * blob upload and manifest push; callers own every decision about content and config.
 */
public interface LayeredImageBuilder {

  /** Builds {@code request}'s image, pushes it to its target and returns what was pushed. */
  Built build(Request request);

  /**
   * One image to build.
   *
   * @param base the base image, pinned to a single-platform manifest digest
   * @param platform the platform the result declares (the base's)
   * @param oci OCI media types when true, Docker v2 otherwise
   * @param layers app layers in order, each becoming one layer on top of the base
   * @param settings container settings; base settings not overridden here are inherited
   * @param target where to push; its tag, or "latest" when it has none
   */
  record Request(ImageRef base, Platform platform, boolean oci, List<FileLayer> layers, Settings settings, ImageRef target) {
    public Request {
      Objects.requireNonNull(base.digest(), "base must be pinned to a digest");
      layers = List.copyOf(layers);
    }
  }

  /** One layer of files, named for history entries and logs. */
  record FileLayer(String name, List<FileEntry> entries) {
    public FileLayer {
      entries = List.copyOf(entries);
    }
  }

  /**
   * A regular file or a directory in a layer.
   *
   * @param source a file whose bytes become the entry's content, or a directory for a directory entry
   * @param path absolute path in the image
   * @param permissions the low nine mode bits (rwxrwxrwx)
   * @param ownership {@code uid:gid}, numeric
   * @param modified modification time recorded in the layer: part of the layer digest
   */
  record FileEntry(Path source, String path, int permissions, String ownership, Instant modified) {}

  /**
   * The runtime settings of the built image. A null list or string inherits the base's value;
   * maps and sets are added to the base's.
   */
  record Settings(
      List<String> entrypoint,
      List<String> cmd,
      String workingDir,
      String user,
      Map<String, String> env,
      Set<String> exposedPorts,
      Map<String, String> labels,
      Set<String> volumes) {}

  /**
   * What was pushed.
   *
   * @param digest the pushed manifest's digest
   * @param uploaded blobs whose bytes were sent; blobs the target had or could mount are not listed
   * @param manifestPushed false when the target already held this exact manifest
   */
  record Built(Digest digest, Set<Digest> uploaded, boolean manifestPushed) {
    public Built {
      uploaded = Set.copyOf(uploaded);
    }
  }
}
