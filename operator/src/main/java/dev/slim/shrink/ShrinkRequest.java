package dev.slim.shrink;

import dev.slim.registry.ImageRef;
import dev.slim.registry.Platform;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One shrink to perform: which files of a fat app image to move onto which slim base, and where
 * the result goes.
 *
 * @param app the fat app image (tag or digest; an index is narrowed to {@code platform})
 * @param slimBase the slim base to build on; its digest is resolved at shrink time unless given
 * @param fatBase the base the app was built on, to tell its Env from the app's; empty to read the
 *     app's base annotations, and when those are missing too the planner's fallback rule applies
 * @param target where the result is pushed; without a tag it is pushed as "latest"
 * @param paths absolute paths to take from the app (each with everything under it), one layer each
 * @param env variables to set on the result, overriding everything else
 * @param allowMissing push even when the entrypoint check fails, reporting the problems as warnings
 * @param platform which platform of an app index to shrink; empty when the app has one platform
 */
public record ShrinkRequest(
    ImageRef app,
    ImageRef slimBase,
    Optional<ImageRef> fatBase,
    ImageRef target,
    List<String> paths,
    Map<String, String> env,
    boolean allowMissing,
    Optional<Platform> platform) {

  public ShrinkRequest {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(slimBase, "slimBase");
    Objects.requireNonNull(fatBase, "fatBase");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(platform, "platform");
    if (paths == null || paths.isEmpty()) {
      throw new IllegalArgumentException("a shrink needs at least one path to take from the app, e.g. /app");
    }
    for (String path : paths) {
      if (!path.startsWith("/") || FileTree.normalize(path).equals("/")) {
        throw new IllegalArgumentException("path '" + path + "' must be absolute and not /, e.g. /app or /opt/service.jar");
      }
    }
    paths = paths.stream().map(FileTree::normalize).distinct().toList();
    env = Map.copyOf(env);
  }
}
