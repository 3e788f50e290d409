package dev.slim.cli;

import dev.slim.OperatorRunner;
import dev.slim.config.OperatorConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code slimimage run}: the operator, configured from SLIMIMAGE_* environment variables. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Runs the operator against the current kubeconfig (or the in-cluster service account) until"
            + " SIGTERM. Configuration comes from SLIMIMAGE_* environment variables; see the README.")
public final class RunCommand implements Callable<Integer> {

  @Override
  public Integer call() throws Exception {
    OperatorRunner.run(OperatorConfig.fromEnv());
    return ExitCodes.OK;
  }
}
