package dev.slim.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slim.api.v1alpha1.SlimImageStatus;
import dev.slim.api.v1alpha1.SlimImageStatus.ImageStatus;
import dev.slim.api.v1alpha1.SlimImageStatus.LastRebase;
import dev.slim.reconciler.RebaseDecision.Action;
import dev.slim.registry.Digest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The decision table: each row is one combination of inputs and the action it must lead to. */
class RebaseDecisionTest {

  static final Digest B1 = d("base-1");
  static final Digest B2 = d("base-2");
  static final Digest A1 = d("app-1");
  static final Digest A2 = d("app-2");

  @ParameterizedTest(name = "{0}")
  @CsvSource(textBlock = """
      # case,                          suspend, gen, base, app, last,      lastGen, lastBase, lastApp, image, action,  reason
      suspended wins over everything,  true,    1,   B2,   A1,   SUCCEEDED, 1,       B1,       A1,      yes,   SUSPEND, Suspended
      never rebased,                   false,   1,   B1,   A1,   none,      0,       B1,       A1,      no,    REBASE,  FirstRebase
      new base digest,                 false,   1,   B2,   A1,   SUCCEEDED, 1,       B1,       A1,      yes,   REBASE,  BaseChanged
      new app digest,                  false,   1,   B1,   A2,   SUCCEEDED, 1,       B1,       A1,      yes,   REBASE,  AppChanged
      spec edited,                     false,   2,   B1,   A1,   SUCCEEDED, 1,       B1,       A1,      yes,   REBASE,  SpecChanged
      nothing changed,                 false,   1,   B1,   A1,   SUCCEEDED, 1,       B1,       A1,      yes,   KEEP,    UpToDate
      failed with the same inputs,     false,   1,   B1,   A1,   FAILED,    1,       B1,       A1,      yes,   HOLD,    FailedBefore
      failed then base moved,          false,   1,   B2,   A1,   FAILED,    1,       B1,       A1,      yes,   REBASE,  BaseChanged
      failed then spec fixed,          false,   2,   B1,   A1,   FAILED,    1,       B1,       A1,      no,    REBASE,  SpecChanged
      image lost from status,          false,   1,   B1,   A1,   SUCCEEDED, 1,       B1,       A1,      no,    REBASE,  FirstRebase
      """)
  void decides(String name, boolean suspend, long gen, String base, String app, String last, long lastGen,
      String lastBase, String lastApp, String image, Action action, String reason) {
    SlimImageStatus status = last.equals("none") ? null : new SlimImageStatus(gen, List.of(), null,
        image.equals("yes") ? new ImageStatus("r", "d", "s", digest(lastBase).value(), digest(lastApp).value(), "t") : null,
        null, null, null,
        new LastRebase(lastGen, digest(lastBase).value(), digest(lastApp).value(),
            last.equals("SUCCEEDED") ? LastRebase.SUCCEEDED : LastRebase.FAILED, 10L, 0L));

    RebaseDecision decision = RebaseDecision.decide(suspend, gen, digest(base), digest(app), status);

    assertThat(decision.action()).isEqualTo(action);
    assertThat(decision.reason()).isEqualTo(reason);
  }

  static Digest digest(String name) {
    return switch (name) {
      case "B1" -> B1;
      case "B2" -> B2;
      case "A1" -> A1;
      default -> A2;
    };
  }

  static Digest d(String s) {
    return Digest.of(s.getBytes(StandardCharsets.UTF_8));
  }
}
