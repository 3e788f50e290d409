package dev.slim.cli;

import dev.slim.rebase.PackageDatabaseCheck;
import dev.slim.rebase.RebaseRequest;
import dev.slim.rebase.RebaseResult;
import dev.slim.rebase.Rebaser;
import dev.slim.registry.ImageRef;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.Platform;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code slimimage rebase}: moves an app image onto a new base and prints the result as JSON. */
@Command(
    name = "rebase",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Re-bases an app image onto a new base by manifest surgery: a new config and manifest, the app's"
            + " layers reused, nothing rebuilt. Prints one JSON object on stdout; logs go to stderr.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "2:bad usage or invalid reference",
      "3:rebase not possible or unsafe (the message names the reason)",
      "4:registry unreachable or unauthorized after retries"
    })
public final class RebaseCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--image", required = true, paramLabel = "REF", description = "The app image as built today.")
  String image;

  @Option(names = "--new-base", required = true, paramLabel = "REF", description = "The base to move the app onto.")
  String newBase;

  @Option(
      names = "--old-base",
      paramLabel = "REF",
      description =
          "The base the app was built on. Default: the app manifest's"
              + " org.opencontainers.image.base.name and .base.digest annotations.")
  String oldBase;

  @Option(
      names = "--target",
      required = true,
      paramLabel = "REF",
      description = "Where to push the result. With a tag it is tagged; without, it is pushed by digest.")
  String target;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      description = "Platforms of a multi-platform app to keep (repeatable). Default: all of them.")
  List<String> platforms = List.of();

  @Option(
      names = "--package-database-check",
      paramLabel = "warn|refuse|off",
      defaultValue = "warn",
      converter = PackageDatabasePolicyConverter.class,
      description = "When an app layer writes or deletes the base's package database (dpkg, apk, rpm), which would"
          + " hide the new base's packages from scanners: warn (default), refuse (exit 3, nothing pushed), or off"
          + " (do not read app layers). Default: ${DEFAULT-VALUE}.")
  PackageDatabaseCheck.Policy packageDatabaseCheck;

  @Mixin RegistryAccess registries;

  /** Reads warn, refuse or off in any case, with the policy's own message for anything else. */
  static final class PackageDatabasePolicyConverter implements CommandLine.ITypeConverter<PackageDatabaseCheck.Policy> {
    @Override
    public PackageDatabaseCheck.Policy convert(String value) {
      try {
        return PackageDatabaseCheck.Policy.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  @Override
  public Integer call() {
    PackageDatabaseCheck check = new PackageDatabaseCheck(packageDatabaseCheck);
    RebaseRequest request =
        new RebaseRequest(
            ImageRef.parse(image),
            ImageRef.parse(newBase),
            Optional.ofNullable(oldBase).map(ImageRef::parse),
            ImageRef.parse(target),
            platforms.stream().map(Platform::parse).toList());
    RebaseResult result;
    try (ImageRegistry registry = registries.open()) {
      result = new Rebaser(registry, check).rebase(request);
    }
    spec.commandLine().getOut().println(ResultJson.of(result));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
