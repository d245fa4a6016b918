package dev.agon.engine;

import dev.agon.checkpoint.CheckpointStore;
import dev.agon.util.WriteFailedException;
import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one writer of {@code metrics.jsonl}: the Recorder's buffered {@link Writer} (update, eval,
 * checkpoint and schedule records, fsynced at each checkpoint's {@code Sync}), TrainRun's {@link
 * #append} of lifecycle records while no Recorder runs ({@code run_start}, {@code restart}, {@code
 * rollback}, the final evaluation), and {@link #recover}, which brings the log back to the
 * checkpoint a run (re)starts from, so that after any sequence of kills and resumes every line is
 * whole JSON and every update appears once.
 *
 * <p>Each checkpoint records the log's length at its capture point ({@code metrics_offset} in the
 * manifest); the Recorder flushes and fsyncs the log up to there before the checkpoint is written,
 * so the records of every update the checkpoint holds are on disk once it exists. On a start from
 * checkpoint C, the lines past C's offset were written after the capture: update records and
 * schedule or pause events the resumed run redoes or never sees are dropped; kept are the lines
 * about state C holds, which the run will not write again (evaluations of G versions up to C, which
 * the Evaluator reports asynchronously, and C's own {@code checkpoint} event), and the run's
 * lifecycle lines ({@code run_start}, {@code resumed_from}, {@code restart}, {@code rollback}). A
 * torn last line (a writer killed mid-record) is cut off.
 *
 * <p>Truncating to a byte offset, not rewriting the file, costs a read of the tail only (at most a
 * couple of checkpoint intervals of records); the file is truncated and forced before the kept
 * lines are appended and forced, so a crash in between leaves at worst a torn last line, which the
 * next start cuts off. A checkpoint without an offset (written before it was recorded) or with one
 * that does not fall on a line end of this file (the log was edited or replaced) only has the torn
 * tail cut, with a warning.
 */
public final class MetricsLog {
  private MetricsLog() {}

  /** What {@link #recover} did: bytes cut off in all, and lines dropped past the checkpoint. */
  public record Recovery(long cutBytes, int droppedLines, String warning) {
    public boolean changed() {
      return cutBytes > 0;
    }
  }

  /**
   * Appends {@code line} (one JSON object) and a newline, creating the file if needed; not forced
   * to disk (the next checkpoint's Sync or recover does that). For records written while no {@link
   * Writer} is open, so the two never interleave.
   */
  public static void append(Path file, String line) throws IOException {
    Files.writeString(
        file,
        line + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /**
   * A buffered appender for an actor's many records: a line costs a buffer copy, {@link #flush} a
   * write, {@link #sync} a write and an fsync. Failures are {@link UncheckedIOException}s carrying
   * a {@link WriteFailedException} that names the file. Not thread-safe: one actor owns it.
   */
  public static final class Writer implements AutoCloseable {
    private final Path path;
    private final FileOutputStream file;
    private final BufferedWriter out;

    /** Opens {@code path} for appending (created if needed). */
    public Writer(Path path) throws IOException {
      this.path = path;
      this.file = new FileOutputStream(path.toFile(), true);
      this.out = new BufferedWriter(new OutputStreamWriter(file, StandardCharsets.UTF_8));
    }

    /** Buffers {@code line} and a newline. */
    public void write(String line) {
      try {
        out.write(line);
        out.write('\n');
      } catch (IOException e) {
        throw new UncheckedIOException(new WriteFailedException(path, e));
      }
    }

    /** Writes the buffered lines out to the OS. */
    public void flush() {
      try {
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(new WriteFailedException(path, e));
      }
    }

    /**
     * Writes out and fsyncs the log; returns its length, where a resume from a checkpoint captured
     * now cuts it back to ({@link #recover}).
     */
    public long sync() throws IOException {
      out.flush();
      file.getChannel().force(false);
      return file.getChannel().size();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  private static final Set<EventKind> LIFECYCLE =
      Set.of(
          EventKind.RUN_START,
          EventKind.RESUMED_FROM,
          EventKind.RESTART,
          EventKind.ROLLBACK,
          EventKind.NODE_LOST,
          EventKind.NODE_BACK);

  private static final Pattern EVENT = Pattern.compile("^\\{\"event\":\"([a-z_]+)\"");
  private static final Pattern STEP = Pattern.compile("\"(?:g_)?step\":(-?\\d+)");

  /**
   * Fits {@code file} to a start from the checkpoint of G update {@code step} whose capture point
   * was at byte {@code offset} of the log (a start from the initial state: step 0, offset 0; -1:
   * unknown, only a torn tail is cut).
   */
  public static Recovery recover(Path file, long offset, long step) throws IOException {
    if (!Files.isRegularFile(file)) {
      return new Recovery(0, 0, null);
    }
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      String warning = null;
      long cut;
      if (offset >= 0 && offset <= size && (offset == 0 || byteAt(ch, offset - 1) == '\n')) {
        cut = offset;
      } else {
        if (offset >= 0) {
          warning =
              file
                  + " does not match the checkpoint of G update "
                  + step
                  + " (its records end at byte "
                  + offset
                  + " of "
                  + size
                  + "): records past that checkpoint stay";
        }
        cut = lastLineEnd(ch, size);
      }
      if (cut == size) {
        return new Recovery(0, 0, warning);
      }
      byte[] tail = new byte[(int) Math.min(Integer.MAX_VALUE - 8, size - cut)];
      ByteBuffer buf = ByteBuffer.wrap(tail);
      while (buf.hasRemaining() && ch.read(buf, cut + buf.position()) >= 0) {}
      // Whole lines of the tail (the part after its last newline is torn), filtered; a tail past
      // lastLineEnd has no whole line.
      StringBuilder kept = new StringBuilder();
      int dropped = 0;
      String text = new String(tail, 0, buf.position(), StandardCharsets.UTF_8);
      int end = text.lastIndexOf('\n');
      for (String line : end < 0 ? List.<String>of() : lines(text.substring(0, end))) {
        if (keep(line, step)) {
          kept.append(line).append('\n');
        } else {
          dropped++;
        }
      }
      byte[] keep = kept.toString().getBytes(StandardCharsets.UTF_8);
      ch.truncate(cut);
      ch.force(true);
      ByteBuffer k = ByteBuffer.wrap(keep);
      while (k.hasRemaining()) {
        ch.write(k, cut + k.position());
      }
      ch.force(true);
      return new Recovery(size - cut - keep.length, dropped, warning);
    }
  }

  /**
   * Cuts {@code file} back to checkpoint {@code from} (null: the initial state) before a run
   * (re)starts there: a torn last line and the records the run will redo go ({@link #recover});
   * what was cut is logged.
   */
  public static void fitTo(Path file, CheckpointStore.Checkpoint from) throws IOException {
    Recovery r =
        recover(file, from == null ? 0 : from.metricsOffset(), from == null ? 0 : from.step());
    var log = org.slf4j.LoggerFactory.getLogger(TrainRun.class);
    if (r.warning() != null) {
      log.warn(r.warning());
    }
    if (r.changed()) {
      log.info(
          "metrics.jsonl: cut {} bytes ({} records past the start point, which the run redoes)",
          r.cutBytes(),
          r.droppedLines());
    }
  }

  /** Whether a line written after checkpoint {@code step}'s capture point stays. */
  static boolean keep(String line, long step) {
    Matcher e = EVENT.matcher(line);
    if (!e.find()) {
      return false; // not a record of ours
    }
    EventKind event = EventKind.parse(e.group(1)).orElse(null);
    if (event == null) {
      return false; // not a record of ours
    }
    if (LIFECYCLE.contains(event)) {
      return true;
    }
    if (event == EventKind.EVAL
        || event == EventKind.CHECKPOINT
        || event == EventKind.CHECKPOINT_FAILED) {
      Matcher s = STEP.matcher(line);
      return s.find() && Long.parseLong(s.group(1)) <= step;
    }
    return false;
  }

  private static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    for (String l : text.split("\n", -1)) {
      out.add(l);
    }
    return out;
  }

  private static byte byteAt(FileChannel ch, long at) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(1);
    return ch.read(b, at) == 1 ? b.get(0) : 0;
  }

  /** The position after the last newline of the file (0 when it has none). */
  private static long lastLineEnd(FileChannel ch, long size) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8192);
    long to = size;
    while (to > 0) {
      long from = Math.max(0, to - b.capacity());
      b.clear().limit((int) (to - from));
      while (b.hasRemaining() && ch.read(b, from + b.position()) >= 0) {}
      for (int i = b.position() - 1; i >= 0; i--) {
        if (b.get(i) == '\n') {
          return from + i + 1;
        }
      }
      to = from;
    }
    return 0;
  }
}
