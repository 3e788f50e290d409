package dev.slim.registry;

/** What it took to make one blob present in a target repository. */
public record BlobTransfer(Kind kind, long bytesUploaded) {

  /** How the blob got there: already present, mounted from another repository, or uploaded. */
  public enum Kind { EXISTED, MOUNTED, UPLOADED }

  public static BlobTransfer existed() {
    return new BlobTransfer(Kind.EXISTED, 0);
  }

  public static BlobTransfer mounted() {
    return new BlobTransfer(Kind.MOUNTED, 0);
  }

  public static BlobTransfer uploaded(long bytes) {
    return new BlobTransfer(Kind.UPLOADED, bytes);
  }
}
