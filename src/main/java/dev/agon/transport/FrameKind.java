package dev.agon.transport;

/** What a frame's tensor is; its code is the header's kind byte (never reorder, only append). */
public enum FrameKind {
  FAKE_BATCH(1),
  REAL_BATCH(2),
  G_SNAPSHOT(3),
  D_SNAPSHOT(4),
  EVALUATION_SNAPSHOT(5),
  /** A player's complete training state (the answer to a checkpoint's GetState). */
  PLAYER_STATE(6);

  private static final FrameKind[] BY_CODE = new FrameKind[7];

  static {
    for (FrameKind k : values()) {
      BY_CODE[k.code] = k;
    }
  }

  final int code;

  FrameKind(int code) {
    this.code = code;
  }

  /**
   * True for the parameter and state snapshots (G and D snapshots, evaluation snapshots, a player's
   * state), whose delivery latency the subscriber measures; false for batches.
   */
  public boolean snapshot() {
    return this != FAKE_BATCH && this != REAL_BATCH;
  }

  /** The kind's name in labels and logs: lower case, dashes ("d-snapshot"). */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /** The kind with header code {@code code}, or null when no kind has it. */
  static FrameKind of(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
