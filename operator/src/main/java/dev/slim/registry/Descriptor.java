package dev.slim.registry;

/** A pointer to a blob or manifest: what a manifest lists for its config and layers. */
public record Descriptor(String mediaType, Digest digest, long size) {}
