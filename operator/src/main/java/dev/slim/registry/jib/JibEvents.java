package dev.slim.registry.jib;

import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.event.EventHandlers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes jib's log events to slf4j at debug: they explain a failure, our exceptions report it. */
final class JibEvents {

  private static final Logger LOG = LoggerFactory.getLogger("dev.slim.registry.jib");

  static final EventHandlers HANDLERS =
      EventHandlers.builder().add(LogEvent.class, JibEvents::log).build();

  private JibEvents() {}

  static void log(LogEvent event) {
    // Progress events are per-chunk noise; jib also colours some errors with ANSI escapes.
    if (event.getLevel() != LogEvent.Level.PROGRESS && LOG.isDebugEnabled()) {
      LOG.debug("jib {}: {}", event.getLevel(), event.getMessage().replaceAll("\u001B\\[[0-9;]*m", ""));
    }
  }
}
