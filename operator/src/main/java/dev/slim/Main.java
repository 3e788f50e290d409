package dev.slim;

/** Entry point of slimimage.jar: the operator ({@code run}) and the CI commands. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.err.println("not yet wired");
    System.exit(2);
  }
}
