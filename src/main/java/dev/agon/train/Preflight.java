package dev.agon.train;

import dev.agon.config.AgonConfig;
import dev.agon.config.Architecture;
import dev.agon.config.ConfigProblemException;
import dev.agon.config.DataKind;
import dev.agon.config.DcganConfig;
import dev.agon.config.DevicesConfig;
import dev.agon.config.LoadedConfig;
import dev.agon.config.Problem;
import dev.agon.data.BatchSource;
import dev.agon.data.ImageSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What can be checked of a run before any actor starts, once its data set is open: the batch
 * against the data set's size, the samples' shape against the architecture, and the memory the
 * networks need against the heap. A failure would otherwise surface inside an actor, be restarted
 * as a fault {@code guard.max-restarts} times and end with exit 3; here it is a {@link Problem} at
 * the key to change. Costs microseconds: the networks' sizes come from their layer shapes, nothing
 * is allocated.
 */
public final class Preflight {
  private Preflight() {}

  /**
   * Floats held per network parameter while training: parameters and gradients of each player's own
   * network (2) and Adam's two moments (2), the other player's copy in each actor with its
   * gradients (2), the Evaluator's and the checkpoint's snapshots (2 to 3), the EMA and historical
   * averages when enabled (1 to 3). A round count, not a peak: the check is to refuse what cannot
   * fit by far, not to predict how close a run comes to the limit.
   */
  static final int PARAMETER_COPIES = 12;

  /**
   * Floats held per layer output value and sample of a batch: the forward activations and their
   * gradients (2), in both actors at once (2), each of which runs both networks.
   */
  static final int ACTIVATION_COPIES = 4;

  /**
   * Throws a {@link ConfigProblemException} listing every problem of {@code loaded} on {@code
   * data}.
   */
  public static void check(LoadedConfig loaded, BatchSource data) {
    List<Problem> problems = problems(loaded, data, Runtime.getRuntime().maxMemory());
    problems.addAll(
        devices(
            loaded,
            Nd4j.getAffinityManager().getNumberOfDevices(),
            "ND4J backend " + Nd4j.getBackend().getClass().getSimpleName()));
    if (!problems.isEmpty()) {
      throw new ConfigProblemException(problems);
    }
  }

  /** The problems of {@code loaded} on {@code data} with {@code budget} bytes of memory. */
  static List<Problem> problems(LoadedConfig loaded, BatchSource data, long budget) {
    AgonConfig c = loaded.config();
    List<Problem> problems = new ArrayList<>();
    int batch = c.schedule().batchSize();
    if (data instanceof ImageSource images && batch > images.dataset().size()) {
      problems.add(
          loaded.problem(
              "schedule.batch-size",
              "must be at most the data set's size: "
                  + images.dataset().name()
                  + " holds "
                  + images.dataset().size()
                  + " images (got "
                  + batch
                  + ")"));
    }
    long[] shape = data.sampleShape();
    if (c.model().architecture() == Architecture.DCGAN) {
      Problem p = dcganShape(loaded, shape);
      if (p != null) {
        problems.add(p);
        return problems; // the networks cannot be sized
      }
    }
    Factory.Sizes sizes;
    try {
      sizes = Factory.sizes(c, shape);
    } catch (IllegalArgumentException | ArithmeticException e) {
      problems.add(loaded.problem("model.architecture", e.getMessage()));
      return problems;
    }
    Problem memory = memory(loaded, sizes, budget);
    if (memory != null) {
      problems.add(memory);
    }
    return problems;
  }

  /**
   * The {@code devices.*} indices that name no device of a backend ({@code backend}, for the
   * message) with {@code count} devices: 0 to count - 1 exist (the CPU backend has one, 0).
   */
  static List<Problem> devices(LoadedConfig loaded, int count, String backend) {
    DevicesConfig d = loaded.config().devices();
    List<Problem> problems = new ArrayList<>();
    String[] keys = {"devices.generator", "devices.discriminator", "devices.evaluator"};
    int[] values = {d.generator(), d.discriminator(), d.evaluator()};
    for (int i = 0; i < keys.length; i++) {
      if (values[i] >= count) {
        problems.add(
            loaded.problem(
                keys[i],
                "device "
                    + values[i]
                    + " does not exist: "
                    + backend
                    + " has "
                    + (count == 1
                        ? "1 device (0)"
                        : count + " devices (0 to " + (count - 1) + ")")));
      }
    }
    return problems;
  }

  /** Null if a DCGAN takes samples of {@code shape}, else the problem. */
  private static Problem dcganShape(LoadedConfig loaded, long[] shape) {
    if (shape.length != 3) {
      return loaded.problem(
          "model.architecture",
          "dcgan needs image data, "
              + "not samples of shape "
              + Arrays.toString(shape)
              + " (use mlp for 2-D data)");
    }
    if (shape[1] == shape[2] && DcganConfig.supportsImageSize(shape[1])) {
      return null;
    }
    String what =
        "dcgan takes square images of 28 or 4 * 2^n pixels (8, 16, 32, 64, ...); the data's are "
            + shape[1]
            + " x "
            + shape[2];
    return loaded.config().data().kind() == DataKind.IMAGE_FOLDER
        ? loaded.problem("data.image-size", what)
        : loaded.problem(
            "model.architecture", what + " (resize the data set, or use mlp or goodfellow2014)");
  }

  /**
   * Null if the networks' parameters and one batch's activations fit in {@code budget} bytes, else
   * the problem at the key whose value costs the most: the batch size when activations dominate,
   * the latent dimension when the generator's input layer does, else the architecture's sizes.
   */
  private static Problem memory(LoadedConfig loaded, Factory.Sizes sizes, long budget) {
    AgonConfig c = loaded.config();
    int batch = c.schedule().batchSize();
    double paramBytes = 4.0 * PARAMETER_COPIES * sizes.parameters();
    double perSample = 4.0 * ACTIVATION_COPIES * sizes.activationsPerSample();
    double activationBytes = perSample * batch;
    if (paramBytes + activationBytes <= budget) {
      return null;
    }
    String need =
        String.format(
            Locale.ROOT,
            "the networks need about %s (%,d parameters: %s; one batch of %d: %s), more than"
                + " the %s heap (-Xmx, AGON_JAVA_OPTS)",
            mib(paramBytes + activationBytes),
            sizes.parameters(),
            mib(paramBytes),
            batch,
            mib(activationBytes),
            mib(budget));
    if (activationBytes >= paramBytes) {
      long fits = (long) Math.floor((budget - paramBytes) / perSample);
      return loaded.problem(
          "schedule.batch-size",
          need + (fits >= 1 ? "; about " + fits + " samples per batch fit" : ""));
    }
    double latentBytes = 4.0 * PARAMETER_COPIES * sizes.latentParameters();
    if (latentBytes >= paramBytes / 2) {
      double perLatent = latentBytes / c.model().latentDim();
      long fits =
          (long) Math.floor((budget - activationBytes - (paramBytes - latentBytes)) / perLatent);
      return loaded.problem(
          "model.latent-dim",
          need + (fits >= 1 ? "; a latent-dim of about " + fits + " fits" : ""));
    }
    String key =
        switch (c.model().architecture()) {
          case DCGAN -> "model.dcgan.width";
          case MLP -> "model.generator.hidden";
          case GOODFELLOW2014 -> "model.goodfellow2014.maxout-units";
        };
    return loaded.problem(key, need);
  }

  private static String mib(double bytes) {
    return String.format(Locale.ROOT, "%,.0f MiB", bytes / (1 << 20));
  }
}
