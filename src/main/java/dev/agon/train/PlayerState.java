package dev.agon.train;

import dev.agon.config.Player;
import dev.agon.nn.Network;
import dev.agon.nn.Optimizer;
import dev.agon.objective.HistoricalAverage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The complete state of one player, detached from its trainer so that another thread may write or
 * keep it: parameters, non-trainable network state (batch-norm running statistics, VBN reference
 * statistics, spectral-norm vectors), optimizer state with its step count and learning rate, the
 * historical average (mean, count, weight, start) and, for G, the EMA weights and the spectral-norm
 * vectors of its D replica. Randomness is keyed by (seed, stream, step), so the update count is all
 * the RNG state there is. Tensors are named {@code <model>}, {@code <model>_net_state}, {@code
 * <model>_optimizer}, {@code <model>_history}, {@code generator_ema} and {@code
 * generator_d_replica_state} (the names the checkpoint files get); scalars are exact decimal
 * strings.
 *
 * @param model whose state; tensors and scalars are named by its {@link Player#label()}
 * @param version updates applied
 * @param tensors detached copies, by name
 * @param scalars by name, without the model prefix
 */
public record PlayerState(
    Player model, long version, Map<String, INDArray> tensors, Map<String, String> scalars) {

  /** The tensor of G's D-replica spectral-norm vectors (only when D has spectral norm). */
  static final String D_REPLICA_STATE = "generator_d_replica_state";

  /** Captures G's state (copies: costs about 2-5 parameter vectors of memory). */
  public static PlayerState of(GeneratorTrainer t) {
    PlayerState s =
        capture(Player.GENERATOR, t.version(), t.network(), t.optimizer(), t.historicalAverage());
    INDArray ema = t.emaParams();
    if (ema != null) {
      s.tensors.put("generator_ema", ema.dup());
    }
    INDArray replica = t.discriminatorReplicaState();
    if (replica != null) {
      s.tensors.put(D_REPLICA_STATE, replica.dup());
    }
    return s;
  }

  /** Captures D's state. */
  public static PlayerState of(DiscriminatorTrainer t) {
    return capture(
        Player.DISCRIMINATOR, t.updates(), t.network(), t.optimizer(), t.historicalAverage());
  }

  private static PlayerState capture(
      Player model, long version, Network net, Optimizer opt, HistoricalAverage history) {
    Map<String, INDArray> tensors = new LinkedHashMap<>();
    Map<String, String> scalars = new TreeMap<>();
    tensors.put(model.label(), net.params().dup());
    INDArray state = net.state();
    if (state != null && state.length() > 0) {
      tensors.put(model.label() + "_net_state", state.dup());
    }
    tensors.put(model.label() + "_optimizer", opt.state().dup());
    scalars.put("version", Long.toString(version));
    scalars.put("optimizer_steps", Long.toString(opt.steps()));
    scalars.put("lr", Double.toString(opt.learningRate()));
    if (history != null) {
      tensors.put(model.label() + "_history", history.state().dup());
      scalars.put("history_count", Long.toString(history.count()));
      scalars.put("history_weight", Double.toString(history.weight()));
      scalars.put("history_start", Long.toString(history.start()));
    }
    return new PlayerState(model, version, tensors, scalars);
  }

  /** Restores G to this state; {@code keepLr}: keep the trainer's configured learning rate. */
  public void restore(GeneratorTrainer t, boolean keepLr) {
    restore(t, keepLr, 1.0);
  }

  /** {@link #restore(GeneratorTrainer, boolean)} with the learning rate scaled by {@code scale}. */
  public void restore(GeneratorTrainer t, boolean keepLr, double scale) {
    restore(t.network(), t.optimizer(), keepLr, scale, t::historicalAveraging);
    if (t.historicalAverage() != null && scalars.containsKey("history_count")) {
      restoreHistory(t.historicalAverage());
    }
    INDArray ema = tensors.get("generator_ema");
    // A trainer without an EMA (a resume allowed to turn it off) drops the checkpoint's.
    if (ema != null && t.emaEnabled()) {
      t.restoreEma(ema);
    }
    INDArray replica = t.discriminatorReplicaState();
    if (replica != null) {
      INDArray saved = require(D_REPLICA_STATE);
      if (saved.length() != replica.length()) {
        throw new IllegalArgumentException(
            D_REPLICA_STATE
                + ": checkpoint has "
                + saved.length()
                + " values, D "
                + replica.length());
      }
      replica.assign(saved.reshape('c', replica.shape()));
    }
    t.version(version);
  }

  /** Restores D to this state; {@code keepLr}: keep the trainer's configured learning rate. */
  public void restore(DiscriminatorTrainer t, boolean keepLr) {
    restore(t, keepLr, 1.0);
  }

  /**
   * {@link #restore(DiscriminatorTrainer, boolean)} with the learning rate scaled by {@code scale}.
   */
  public void restore(DiscriminatorTrainer t, boolean keepLr, double scale) {
    restore(t.network(), t.optimizer(), keepLr, scale, t::historicalAveraging);
    if (t.historicalAverage() != null && scalars.containsKey("history_count")) {
      restoreHistory(t.historicalAverage());
    }
    t.updates(version);
  }

  private interface AveragingSetter {
    void set(double weight, long start);
  }

  private void restore(
      Network net, Optimizer opt, boolean keepLr, double scale, AveragingSetter averaging) {
    INDArray params = require(model.label());
    if (params.length() != net.numParams()) {
      throw new IllegalArgumentException(
          model.label()
              + ": checkpoint has "
              + params.length()
              + " parameters, the network "
              + net.numParams());
    }
    net.copyParamsFrom(params);
    INDArray state = tensors.get(model.label() + "_net_state");
    INDArray netState = net.state();
    long have = netState == null ? 0 : netState.length();
    if ((state == null ? 0 : state.length()) != have) {
      throw new IllegalArgumentException(
          model.label() + ": network state size differs from the checkpoint");
    }
    if (state != null) {
      netState.assign(state.reshape('c', netState.shape()));
    }
    INDArray optState = require(model.label() + "_optimizer");
    if (optState.length() != opt.state().length()) {
      throw new IllegalArgumentException(
          model.label()
              + ": optimizer state of "
              + optState.length()
              + " values, the optimizer has "
              + opt.state().length()
              + " (another optimizer kind?)");
    }
    opt.restore(optState, Long.parseLong(require("optimizer_steps", true)));
    double lr = keepLr ? opt.learningRate() : Double.parseDouble(require("lr", true));
    opt.learningRate(scale == 1.0 ? lr : lr * scale);
    // No average in the checkpoint means none existed (weight 0 from the start); a config that
    // now enables one (a resume allowed to change it) keeps it.
    if (scalars.containsKey("history_weight")) {
      averaging.set(
          Double.parseDouble(scalars.get("history_weight")),
          Long.parseLong(scalars.get("history_start")));
    }
  }

  private void restoreHistory(HistoricalAverage h) {
    h.restore(require(model.label() + "_history"), Long.parseLong(scalars.get("history_count")));
  }

  private INDArray require(String name) {
    INDArray t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("checkpoint lacks tensor '" + name + "'");
    }
    return t;
  }

  private String require(String key, boolean scalar) {
    String v = scalars.get(key);
    if (v == null) {
      throw new IllegalArgumentException("checkpoint lacks " + model.label() + "." + key);
    }
    return v;
  }

  /** The scalars under their checkpoint keys ({@code <model>.<key>}). */
  public Map<String, String> prefixedScalars() {
    Map<String, String> m = new TreeMap<>();
    scalars.forEach((k, v) -> m.put(model.label() + "." + k, v));
    return m;
  }

  /** The state of {@code model} from a checkpoint's tensors and engine scalars. */
  public static PlayerState from(
      Player model, Map<String, INDArray> tensors, Map<String, String> engine) {
    Map<String, INDArray> mine = new LinkedHashMap<>();
    tensors.forEach(
        (k, v) -> {
          if (k.equals(model.label()) || k.startsWith(model.label() + "_")) {
            mine.put(k, v);
          }
        });
    Map<String, String> scalars = new TreeMap<>();
    engine.forEach(
        (k, v) -> {
          if (k.startsWith(model.label() + ".")) {
            scalars.put(k.substring(model.label().length() + 1), v);
          }
        });
    String version = scalars.get("version");
    if (version == null) {
      throw new IllegalArgumentException("checkpoint lacks " + model.label() + ".version");
    }
    return new PlayerState(model, Long.parseLong(version), mine, scalars);
  }
}
