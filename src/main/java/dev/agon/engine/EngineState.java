package dev.agon.engine;

import dev.agon.train.Schedule;
import java.util.Map;
import java.util.TreeMap;

/**
 * The engine's own keys in a checkpoint manifest's {@code engine} object: written here by {@link
 * #toManifest} (the Coordinator, at each capture) and {@link #constants} (TrainRun, per launch),
 * read here by {@link #fromManifest} and {@link #rollbacks}. The players' keys are {@link
 * dev.agon.train.PlayerState}'s; the manifest's top level (step, tensors, {@code metrics_offset})
 * is {@link dev.agon.checkpoint.CheckpointStore}'s. Values are decimal strings, as the store keeps
 * them.
 *
 * @param gDone G updates done at the capture
 * @param dDone D updates done at the capture
 * @param k D updates per G update of the schedule segment in force
 * @param staleness the segment's staleness s
 * @param originG the G update at which the segment began
 * @param originD the D update at which the segment began
 * @param segment the segment's number (0: the config's; each live or resumed change of k or s adds
 *     one)
 */
public record EngineState(
    long gDone, long dDone, int k, int staleness, long originG, long originD, int segment) {
  public static final String G_DONE = "engine.g_done";
  public static final String D_DONE = "engine.d_done";

  /** The next real batch's index: D update n trains on batch n (kept for readers of the data). */
  public static final String NEXT_BATCH = "data.next_batch";

  public static final String K = "schedule.k";
  public static final String STALENESS = "schedule.staleness";
  public static final String ORIGIN_G = "schedule.origin_g";
  public static final String ORIGIN_D = "schedule.origin_d";
  public static final String SEGMENT = "schedule.segment";

  /**
   * {@link #SEGMENT}'s name in checkpoints written before the schedule's "epoch" became "segment":
   * read when {@code SEGMENT} is absent, never written, so old checkpoints still resume.
   */
  public static final String LEGACY_SEGMENT = "schedule.epoch";

  /** Rollbacks after divergence so far: a resumed run goes on counting against the guard. */
  public static final String ROLLBACKS = "guard.rollbacks";

  /** The run's seed and batch size, recorded for people reading the manifest. */
  public static final String SEED = "seed";

  public static final String BATCH_SIZE = "data.batch_size";

  /** The state at G update {@code gDone}, D update {@code dDone}, under {@code schedule}. */
  public static EngineState of(long gDone, long dDone, Schedule schedule, int segment) {
    return new EngineState(
        gDone,
        dDone,
        schedule.k(),
        schedule.staleness(),
        schedule.originG(),
        schedule.originD(),
        segment);
  }

  /** The schedule segment in force, run to {@code iterations} G updates. */
  public Schedule schedule(long iterations) {
    return new Schedule(k, staleness, iterations, originG, originD);
  }

  /** This state as manifest entries. */
  public Map<String, String> toManifest() {
    Map<String, String> m = new TreeMap<>();
    m.put(G_DONE, Long.toString(gDone));
    m.put(D_DONE, Long.toString(dDone));
    m.put(NEXT_BATCH, Long.toString(dDone));
    m.put(K, Integer.toString(k));
    m.put(STALENESS, Integer.toString(staleness));
    m.put(ORIGIN_G, Long.toString(originG));
    m.put(ORIGIN_D, Long.toString(originD));
    m.put(SEGMENT, Integer.toString(segment));
    return m;
  }

  /**
   * The state in a manifest's {@code engine} entries.
   *
   * @throws IllegalArgumentException when a key is missing or not a number
   */
  public static EngineState fromManifest(Map<String, String> engine) {
    return new EngineState(
        Long.parseLong(required(engine, G_DONE)),
        Long.parseLong(required(engine, D_DONE)),
        Integer.parseInt(required(engine, K)),
        Integer.parseInt(required(engine, STALENESS)),
        Long.parseLong(required(engine, ORIGIN_G)),
        Long.parseLong(required(engine, ORIGIN_D)),
        Integer.parseInt(
            required(
                engine,
                !engine.containsKey(SEGMENT) && engine.containsKey(LEGACY_SEGMENT)
                    ? LEGACY_SEGMENT
                    : SEGMENT)));
  }

  /** The run's constants as manifest entries, written into every checkpoint of a launch. */
  public static Map<String, String> constants(int rollbacks, long seed, int batchSize) {
    Map<String, String> m = new TreeMap<>();
    m.put(ROLLBACKS, Integer.toString(rollbacks));
    m.put(SEED, Long.toString(seed));
    m.put(BATCH_SIZE, Integer.toString(batchSize));
    return m;
  }

  /** The rollbacks a checkpoint recorded (0 when it predates the key). */
  public static int rollbacks(Map<String, String> engine) {
    return Integer.parseInt(engine.getOrDefault(ROLLBACKS, "0"));
  }

  private static String required(Map<String, String> engine, String key) {
    String v = engine.get(key);
    if (v == null) {
      throw new IllegalArgumentException("no " + key);
    }
    return v;
  }
}
