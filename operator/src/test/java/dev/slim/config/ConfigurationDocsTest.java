package dev.slim.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slim.cli.RegistryAccess;
import dev.slim.testing.ProjectRoot;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every environment variable the operator reads has its row in the README's Configuration table. */
class ConfigurationDocsTest {

  @Test
  void everyVariableIsDocumented() throws IOException, IllegalAccessException {
    String readme = Files.readString(ProjectRoot.resolve("README.md"));
    String table = readme.substring(readme.indexOf("## Configuration"), readme.indexOf("## Metrics"));
    List<String> variables = new ArrayList<>();
    for (Class<?> type : List.of(OperatorConfig.class, LeaderElection.class, RegistryAccess.class)) {
      for (Field f : type.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
          f.setAccessible(true);
          String value = (String) f.get(null);
          if (value.matches("[A-Z][A-Z0-9_]+")) {
            variables.add(value);
          }
        }
      }
    }
    assertThat(variables).hasSizeGreaterThanOrEqualTo(14);
    for (String v : variables) {
      assertThat(table).as("README Configuration table row for " + v).contains("`" + v + "`");
    }
  }
}
