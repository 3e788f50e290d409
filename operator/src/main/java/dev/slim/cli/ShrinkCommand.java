package dev.slim.cli;

import dev.slim.registry.ImageRef;
import dev.slim.registry.ImageRegistry;
import dev.slim.registry.Platform;
import dev.slim.shrink.ShrinkRequest;
import dev.slim.shrink.ShrinkResult;
import dev.slim.shrink.Shrinker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code slimimage shrink}: moves an app's files off a fat base onto a slim one and prints the result and savings as JSON. */
@Command(
    name = "shrink",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Takes the given paths from a fat app image (layers applied, whiteouts honoured) and builds them as"
            + " layers on a slim base, keeping the app's Entrypoint, Cmd, WorkingDir, User, ports, labels and"
            + " its own Env. Checks that the entrypoint and its interpreter exist before pushing. Prints one"
            + " JSON object on stdout with the savings; logs go to stderr.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "2:bad usage or invalid reference",
      "3:shrink not possible or unsafe (missing path, entrypoint or interpreter; the message names the reason)",
      "4:registry unreachable or unauthorized after retries"
    })
public final class ShrinkCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--image", required = true, paramLabel = "REF", description = "The fat app image as built today.")
  String image;

  @Option(names = "--base", required = true, paramLabel = "REF", description = "The slim base to move the app onto.")
  String base;

  @Option(
      names = "--path",
      required = true,
      paramLabel = "PATH",
      description = "An absolute path to take from the app with everything under it (repeatable; one layer each), e.g. /app.")
  List<String> paths;

  @Option(
      names = "--target",
      required = true,
      paramLabel = "REF",
      description = "Where to push the result. Without a tag it is tagged latest.")
  String target;

  @Option(
      names = "--old-base",
      paramLabel = "REF",
      description =
          "The fat base the app was built on, to tell its Env from the app's. Default: the app manifest's"
              + " org.opencontainers.image.base.name annotation; without either, app variables the slim base"
              + " also defines take the slim base's value.")
  String oldBase;

  @Option(names = "--env", paramLabel = "NAME=VALUE", description = "Set a variable on the result, overriding all others (repeatable).")
  List<String> env = List.of();

  @Option(
      names = "--allow-missing",
      description = "Push even when the entrypoint or its interpreter is missing from the result; the problems become warnings.")
  boolean allowMissing;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      description = "Which platform of a multi-platform app to shrink. Default: the app's only platform.")
  String platform;

  @Mixin RegistryAccess registries;

  @Override
  public Integer call() {
    ShrinkRequest request;
    try {
      request = new ShrinkRequest(
          ImageRef.parse(image),
          ImageRef.parse(base),
          Optional.ofNullable(oldBase).map(ImageRef::parse),
          ImageRef.parse(target),
          paths,
          env(),
          allowMissing,
          Optional.ofNullable(platform).map(Platform::parse));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    ShrinkResult result;
    try (ImageRegistry registry = registries.open()) {
      result = new Shrinker(registry, registries.openBuilder()).shrink(request);
    }
    result.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
    spec.commandLine().getOut().println(ResultJson.of(result));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }

  private Map<String, String> env() {
    Map<String, String> map = new LinkedHashMap<>();
    for (String pair : env) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--env '" + pair + "' must be NAME=VALUE");
      }
      map.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return map;
  }
}
