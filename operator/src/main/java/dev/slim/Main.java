package dev.slim;

import dev.slim.cli.ExitCodes;
import dev.slim.cli.RebaseCommand;
import dev.slim.cli.RunCommand;
import dev.slim.cli.ShrinkCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of slimimage.jar: the operator ({@code run}) and the commands for CI pipelines. */
@Command(
    name = "slimimage",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Keeps app images on small, current base images by re-basing them without a rebuild.",
    subcommands = {RunCommand.class, RebaseCommand.class, ShrinkCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "2:bad usage or invalid reference",
      "3:not possible or unsafe (the message says why)",
      "4:registry unreachable or unauthorized after retries"
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line; tests run it in-process. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler(ExitCodes::handle)
        .setParameterExceptionHandler(ExitCodes::handleUsage);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: run, rebase or shrink");
  }

  /** Reports the version Maven wrote into the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"slimimage " + (v == null ? "development build" : v)};
    }
  }
}
