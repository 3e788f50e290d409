package dev.slim.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slim.testing.ProjectRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every PromQL expression of deploy/monitoring: the dashboard's panel targets and template
 * variables (with Grafana's variables replaced by what Grafana would send) and the alert rules.
 */
public final class MonitoringQueries {

  /** A dashboard query: where it is shown and the PromQL Prometheus receives. */
  public record Query(String where, String expr) {}

  /** An alert rule of the rules file. */
  public record Rule(String alert, String expr, JsonNode node) {}

  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*[a-zA-Z_]+\\)");

  private MonitoringQueries() {}

  /**
   * Panel targets and variable queries. {@code $__rate_interval} becomes 1m and {@code $namespace}
   * the "All" value; {@code label_values(m, l)} becomes {@code m}, the series Grafana lists.
   */
  public static List<Query> dashboard() {
    JsonNode d = read();
    List<Query> out = new ArrayList<>();
    for (JsonNode panel : d.path("panels")) {
      for (JsonNode t : panel.path("targets")) {
        out.add(new Query("panel '" + panel.path("title").asText() + "' " + t.path("refId").asText(), grafana(t.path("expr").asText())));
      }
    }
    for (JsonNode v : d.path("templating").path("list")) {
      if ("query".equals(v.path("type").asText())) {
        Matcher m = LABEL_VALUES.matcher(v.path("query").path("query").asText());
        if (!m.matches()) {
          throw new IllegalStateException("variable " + v.path("name").asText() + ": only label_values(metric, label) is supported");
        }
        out.add(new Query("variable $" + v.path("name").asText(), m.group(1)));
      }
    }
    return out;
  }

  /** The alert rules, in file order. */
  public static List<Rule> rules() {
    JsonNode file = Kustomization.read(ProjectRoot.resolve("deploy/monitoring/slimimage.rules.yaml")).get(0);
    List<Rule> out = new ArrayList<>();
    for (JsonNode group : file.path("groups")) {
      for (JsonNode r : group.path("rules")) {
        out.add(new Rule(r.path("alert").asText(r.path("record").asText()), r.path("expr").asText().trim(), r));
      }
    }
    return out;
  }

  static String grafana(String expr) {
    return expr.replace("$__rate_interval", "1m").replace("$namespace", ".*");
  }

  private static JsonNode read() {
    try {
      return new ObjectMapper().readTree(ProjectRoot.resolve("deploy/monitoring/slimimage-dashboard.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
