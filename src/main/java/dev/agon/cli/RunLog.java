package dev.agon.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import dev.agon.util.WriteFailedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.LoggerFactory;

/** Sends the log (INFO and up) to the run directory's {@code agon.log} as well. */
final class RunLog implements AutoCloseable {
  private final LoggerContext ctx;
  private final FileAppender<ILoggingEvent> appender;

  private RunLog(LoggerContext ctx, FileAppender<ILoggingEvent> appender) {
    this.ctx = ctx;
    this.appender = appender;
  }

  /**
   * Writes {@code firstLine} to {@code file}, then attaches it. Logback swallows write errors, so
   * the first line is written here: a file that cannot be written (a full disk) is a user error
   * naming it, before anything else is. Later write errors lose log lines only.
   */
  static RunLog attach(Path file, String firstLine) {
    String line =
        java.time.OffsetDateTime.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
            + " INFO  [main] agon - "
            + firstLine
            + "\n";
    try {
      Files.writeString(
          file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new Main.UserException("cannot write " + file + ": " + WriteFailedException.reason(e));
    }
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return new RunLog(null, null);
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(ctx);
    encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n");
    encoder.start();
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(ctx);
    appender.setName("RUN");
    appender.setFile(file.toString());
    appender.setAppend(true);
    appender.setEncoder(encoder);
    appender.start();
    ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    return new RunLog(ctx, appender);
  }

  /** Detaches and closes the file (the log goes to the console only). */
  @Override
  public void close() {
    if (appender != null) {
      ctx.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
      appender.stop();
    }
  }
}
