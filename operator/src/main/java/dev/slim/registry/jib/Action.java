package dev.slim.registry.jib;

/**
 * What one registry call was trying to do, for error messages: e.g. verb "pull manifest" on image
 * "127.0.0.1:5000/shop/app:1" at registry "127.0.0.1:5000".
 */
record Action(String registry, String image, String verb, boolean hasCredentials) {}
