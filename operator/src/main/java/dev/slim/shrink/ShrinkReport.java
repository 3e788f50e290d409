package dev.slim.shrink;

import java.util.List;

/**
 * What a shrink saved, as the CLI prints it, the status records it and the metrics export it.
 *
 * @param original the app image as built on its fat base
 * @param slim the pushed result
 * @param packagesRemoved OS packages in the original and not in the result, sorted
 */
public record ShrinkReport(Stage original, Stage slim, List<String> packagesRemoved) {

  /**
   * One image's size.
   *
   * @param compressedBytes sum of its layers' compressed sizes, as pulled
   * @param layers number of layers
   * @param packages OS packages installed, or null when unknown (an rpm database)
   * @param packageDatabases which databases were read: dpkg, apk, rpm
   */
  public record Stage(long compressedBytes, int layers, Integer packages, List<String> packageDatabases) {
    public Stage {
      packageDatabases = List.copyOf(packageDatabases);
    }

    static Stage of(long compressedBytes, int layers, PackageInventory inventory) {
      return new Stage(compressedBytes, layers, inventory.complete() ? inventory.names().size() : null, inventory.databases());
    }
  }

  public ShrinkReport {
    packagesRemoved = List.copyOf(packagesRemoved);
  }

  /** Compressed bytes saved; negative when the result is larger. */
  public long savedBytes() {
    return original.compressedBytes() - slim.compressedBytes();
  }
}
