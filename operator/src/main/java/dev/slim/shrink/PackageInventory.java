package dev.slim.shrink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The OS packages an image filesystem holds, read from the package databases scanners read:
 * dpkg's {@code /var/lib/dpkg/status}, distroless's {@code /var/lib/dpkg/status.d/*}, and apk's
 * {@code /lib/apk/db/installed}.
 *
 * <p>rpm keeps its database in Berkeley DB, sqlite or ndb files; reading those needs native
 * libraries or a database engine Maven Central does not serve in pure Java, so an image with an
 * rpm database is reported as holding an unknown number of packages, never as holding none.
 *
 * @param names installed package names, sorted (one name for a package installed for several architectures)
 * @param databases the databases found, e.g. {@code dpkg}, {@code apk}, {@code rpm}
 * @param complete false when a database was found that could not be read (rpm)
 */
public record PackageInventory(SortedSet<String> names, List<String> databases, boolean complete) {

  public static final String DPKG_STATUS = "/var/lib/dpkg/status";
  public static final String DPKG_STATUS_D = "/var/lib/dpkg/status.d";
  public static final String APK_INSTALLED = "/lib/apk/db/installed";
  /** Where rpm keeps its database: the classic place and the newer /usr one. */
  public static final List<String> RPM_DIRS = List.of("/var/lib/rpm", "/usr/lib/sysimage/rpm");
  private static final Set<String> RPM_FILES = Set.of("Packages", "Packages.db", "rpmdb.sqlite");

  /** The number of packages, or -1 when unknown. */
  public int count() {
    return complete ? names.size() : -1;
  }

  /** True for the files this inventory reads whole: a layer reader keeps these in memory. */
  public static boolean isDatabase(String path) {
    if (path.equals(DPKG_STATUS) || path.equals(APK_INSTALLED)) {
      return true;
    }
    return FileTree.parent(path).equals(DPKG_STATUS_D) && !path.endsWith(".md5sums");
  }

  /** True for files whose presence (not content) this inventory needs. */
  public static boolean isPresenceOnly(String path) {
    return RPM_DIRS.contains(FileTree.parent(path)) && RPM_FILES.contains(path.substring(path.lastIndexOf('/') + 1));
  }

  public static PackageInventory of(FileTree tree) {
    SortedSet<String> names = new TreeSet<>();
    List<String> databases = new ArrayList<>();
    boolean complete = true;

    boolean dpkg = false;
    var status = tree.read(DPKG_STATUS);
    if (status.isPresent()) {
      dpkg = true;
      names.addAll(dpkgInstalled(text(status.get()), true));
    }
    for (Map.Entry<String, FileNode> e : tree.children(DPKG_STATUS_D).entrySet()) {
      if (e.getValue().isFile() && isDatabase(e.getKey())) {
        var part = tree.read(e.getKey());
        if (part.isPresent()) {
          dpkg = true;
          // status.d entries are written for installed packages only and carry no Status field.
          names.addAll(dpkgInstalled(text(part.get()), false));
        }
      }
    }
    if (dpkg) {
      databases.add("dpkg");
    }
    var apk = tree.read(APK_INSTALLED);
    if (apk.isPresent()) {
      databases.add("apk");
      names.addAll(apkInstalled(text(apk.get())));
    }
    for (String dir : RPM_DIRS) {
      for (String file : RPM_FILES) {
        if (tree.get(dir + "/" + file).isPresent() && !databases.contains("rpm")) {
          databases.add("rpm");
          complete = false;
        }
      }
    }
    return new PackageInventory(names, List.copyOf(databases), complete);
  }

  /** Packages in {@code before} that are not in {@code after}, sorted. */
  public static List<String> removed(PackageInventory before, PackageInventory after) {
    TreeSet<String> gone = new TreeSet<>(before.names());
    gone.removeAll(after.names());
    return List.copyOf(gone);
  }

  /** Package names from dpkg control paragraphs; with {@code needStatus}, only "install ok installed" ones. */
  static List<String> dpkgInstalled(String text, boolean needStatus) {
    List<String> names = new ArrayList<>();
    for (String paragraph : text.split("\n\\s*\n")) {
      String name = field(paragraph, "Package");
      String state = field(paragraph, "Status");
      if (name == null) {
        continue;
      }
      if (needStatus && (state == null || !state.endsWith(" installed"))) {
        continue;
      }
      names.add(name);
    }
    return names;
  }

  static List<String> apkInstalled(String text) {
    List<String> names = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("P:")) {
        names.add(line.substring(2).strip());
      }
    }
    return names;
  }

  private static String field(String paragraph, String name) {
    for (String line : paragraph.split("\n")) {
      if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
        return line.substring(name.length() + 1).strip();
      }
    }
    return null;
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8).replace("\r\n", "\n");
  }
}
