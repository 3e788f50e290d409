package dev.slim.reconciler;

import dev.slim.api.v1alpha1.Conditions;
import dev.slim.api.v1alpha1.SlimImageSpec;
import dev.slim.config.GoDuration;
import dev.slim.config.OperatorConfig;
import dev.slim.reconciler.StalledException.Stage;
import dev.slim.registry.Digest;
import dev.slim.registry.ImageRef;
import dev.slim.registry.InvalidReferenceException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A SlimImage's spec parsed into references and an interval, or a Stalled reason naming the
 * field that is wrong. Parsing is complete here so nothing later meets a bad reference.
 *
 * @param app the app image (tag and/or digest)
 * @param oldBase the base the app was built on, when the spec names it
 * @param base the base tag followed
 * @param target the target repository, with a tag when the spec gives one
 * @param pollInterval the interval to poll base and app tags, within the operator's bounds
 * @param extract what to take from the app in Extract mode; empty in Rebase mode
 */
public record SlimImageInputs(
    ImageRef app, Optional<ImageRef> oldBase, ImageRef base, ImageRef target, Duration pollInterval, Optional<Extract> extract) {

  /** Extract mode's inputs: the app paths to move, Env overrides, and whether a failed entrypoint check may be pushed. */
  public record Extract(List<String> paths, Map<String, String> env, boolean allowMissing) {}

  public SlimImageInputs(ImageRef app, Optional<ImageRef> oldBase, ImageRef base, ImageRef target, Duration pollInterval) {
    this(app, oldBase, base, target, pollInterval, Optional.empty());
  }

  private static final int BASE_HEX_IN_TAG = 12;

  public static SlimImageInputs parse(SlimImageSpec spec, OperatorConfig config) {
    ImageRef app = ref("spec.app.image", spec.app() == null ? null : spec.app().image());
    Optional<ImageRef> oldBase = spec.app().oldBase() == null || spec.app().oldBase().isBlank()
        ? Optional.empty()
        : Optional.of(ref("spec.app.oldBase", spec.app().oldBase()));
    ImageRef base = ref("spec.base.image", spec.base() == null ? null : spec.base().image());
    ImageRef target = spec.target() == null || spec.target().image() == null || spec.target().image().isBlank()
        ? app.repositoryOnly()
        : ref("spec.target.image", spec.target().image());
    if (target.digest() != null) {
      throw new StalledException(Stage.BASE, Conditions.INVALID_REFERENCE,
          "spec.target.image '" + spec.target().image() + "' must not carry a digest: a push gets a new one");
    }
    if (!hasExplicitTag(spec.target() == null ? null : spec.target().image())) {
      // ImageRef.parse fills in "latest"; a target without a tag means "derive one per base".
      target = target.repositoryOnly();
    }
    if (target.tag() != null && target.sameRepository(app) && target.tag().equals(app.tag())) {
      throw new StalledException(Stage.BASE, Conditions.TARGET_IS_APP,
          "spec.target.image " + target + " would overwrite the app tag it is made from; drop the tag or choose another");
    }
    Duration interval;
    try {
      String asked = spec.base().pollInterval();
      interval = config.pollInterval(asked == null || asked.isBlank() ? null : GoDuration.parse(asked));
    } catch (IllegalArgumentException e) {
      throw new StalledException(Stage.BASE, Conditions.INVALID_REFERENCE, "spec.base.pollInterval: " + e.getMessage());
    }
    return new SlimImageInputs(app, oldBase, base, target, interval, extract(spec.app()));
  }

  private static Optional<Extract> extract(SlimImageSpec.App app) {
    if (app.modeOrDefault() != SlimImageSpec.App.Mode.Extract) {
      return Optional.empty();
    }
    List<String> paths = app.paths() == null ? List.of() : app.paths();
    if (paths.isEmpty()) {
      throw new StalledException(Stage.BASE, Conditions.INVALID_REFERENCE,
          "spec.app.mode Extract needs spec.app.paths: the absolute paths to take from the app, e.g. [/app]");
    }
    for (String path : paths) {
      if (path == null || !path.startsWith("/") || path.replace("/", "").isEmpty()) {
        throw new StalledException(Stage.BASE, Conditions.INVALID_REFERENCE,
            "spec.app.paths: '" + path + "' must be an absolute path other than /, e.g. /app or /opt/service.jar");
      }
    }
    return Optional.of(new Extract(List.copyOf(paths), app.env() == null ? Map.of() : Map.copyOf(app.env()),
        Boolean.TRUE.equals(app.allowMissing())));
  }

  /** The tags polled for this SlimImage: the base, and the app so a new release is re-based too. */
  public Set<ImageRef> watched() {
    Set<ImageRef> refs = new LinkedHashSet<>();
    refs.add(base);
    refs.add(app);
    return refs;
  }

  /** The repositories whose containers are pinned: the app's and the target's (often the same). */
  public Set<String> repositories() {
    return Set.copyOf(new LinkedHashSet<>(java.util.List.of(app.repositoryName(), target.repositoryName())));
  }

  /**
   * Where the image made on {@code baseDigest} is pushed: the target's own tag, else the app tag
   * plus {@code -slim-} and 12 hex digits of the base digest, so each base gets its own tag.
   */
  public ImageRef targetFor(Digest baseDigest) {
    if (target.tag() != null) {
      return target;
    }
    String appTag = app.tag() != null ? app.tag() : "app";
    String suffix = "-slim-" + baseDigest.shortHex(BASE_HEX_IN_TAG);
    int room = 128 - suffix.length();
    return target.withTag((appTag.length() > room ? appTag.substring(0, room) : appTag) + suffix);
  }

  /** True when the text names a tag itself, rather than the parser defaulting to latest. */
  static boolean hasExplicitTag(String text) {
    if (text == null || text.isBlank()) {
      return false;
    }
    String name = text.contains("@") ? text.substring(0, text.indexOf('@')) : text;
    return name.substring(name.lastIndexOf('/') + 1).contains(":");
  }

  private static ImageRef ref(String field, String text) {
    try {
      return ImageRef.parse(text);
    } catch (InvalidReferenceException e) {
      throw new StalledException(Stage.BASE, Conditions.INVALID_REFERENCE, field + ": " + e.getMessage());
    }
  }
}
