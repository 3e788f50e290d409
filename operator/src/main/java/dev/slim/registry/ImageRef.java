package dev.slim.registry;

import java.util.regex.Pattern;

/**
 * A parsed image reference: registry host, repository, and a tag and/or digest.
 *
 * <p>Follows the distribution reference grammar closely enough to reject what a registry would
 * reject, so a bad reference fails before any request is made.
 */
public record ImageRef(String registry, String repository, String tag, Digest digest) {

  public static final String DOCKER_HUB = "registry-1.docker.io";

  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern HOST =
      Pattern.compile("(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?");

  /** Parses {@code [registry/]repository[:tag][@sha256:...]}; a bare name means Docker Hub. */
  public static ImageRef parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidReferenceException("image reference is empty: expected [REGISTRY/]REPOSITORY[:TAG][@DIGEST]");
    }
    String rest = text.trim();
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      try {
        digest = Digest.parse(rest.substring(at + 1));
      } catch (InvalidReferenceException e) {
        throw new InvalidReferenceException("'" + text + "' has an invalid digest: " + e.getMessage());
      }
      rest = rest.substring(0, at);
    }
    String registry = DOCKER_HUB;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost") || first.startsWith("[")) {
        registry = first.equals("docker.io") || first.equals("index.docker.io") ? DOCKER_HUB : first;
        rest = rest.substring(slash + 1);
      }
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw new InvalidReferenceException(
            "'" + text + "' has an invalid tag '" + tag + "': up to 128 of A-Z a-z 0-9 _ . -, not starting with . or -");
      }
    }
    if (!HOST.matcher(registry).matches()) {
      throw new InvalidReferenceException("'" + text + "' has an invalid registry host '" + registry + "'");
    }
    if (rest.isEmpty()) {
      throw new InvalidReferenceException("'" + text + "' names no repository");
    }
    for (String component : rest.split("/", -1)) {
      if (!COMPONENT.matcher(component).matches()) {
        throw new InvalidReferenceException(
            "'" + text + "' has an invalid repository '" + rest
                + "': use lowercase letters, digits and separators (. _ - /)");
      }
    }
    if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
      rest = "library/" + rest;
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    return new ImageRef(registry, rest, tag, digest);
  }

  public ImageRef withTag(String newTag) {
    return new ImageRef(registry, repository, newTag, null);
  }

  public ImageRef withDigest(Digest newDigest) {
    return new ImageRef(registry, repository, tag, newDigest);
  }

  /** The same repository with neither tag nor digest, e.g. to say where blobs live. */
  public ImageRef repositoryOnly() {
    return new ImageRef(registry, repository, null, null);
  }

  public boolean sameRepository(ImageRef other) {
    return registry.equals(other.registry) && repository.equals(other.repository);
  }

  /** What to ask the registry for: the digest when known (immutable), else the tag. */
  public String reference() {
    return digest != null ? digest.value() : tag;
  }

  /** {@code registry/repository}, the name workloads and annotations use. */
  public String repositoryName() {
    return registry + "/" + repository;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(repositoryName());
    if (tag != null) {
      s.append(':').append(tag);
    }
    if (digest != null) {
      s.append('@').append(digest.value());
    }
    return s.toString();
  }
}
