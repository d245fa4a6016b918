package dev.agon.cli;

import dev.agon.data.Datasets;
import dev.agon.data.ImageDataset;
import dev.agon.eval.Classifier;
import dev.agon.eval.ClassifierFileException;
import dev.agon.eval.ClassifierStore;
import dev.agon.eval.ClassifierTrainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agon classifier}: the Fashion-MNIST classifier that stands in for Inception. */
@Command(
    name = "classifier",
    mixinStandardHelpOptions = true,
    description = "Train or inspect the classifier used for IS/FID on Fashion-MNIST.",
    subcommands = {ClassifierCommand.Train.class, ClassifierCommand.Info.class})
final class ClassifierCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Splits the test Inception Score is averaged over. */
  static final int IS_SPLITS = 10;

  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      description =
          "Train the classifier (Adam 1e-3, batch 128); after every epoch it is evaluated on the"
              + " test split and written to --out, so the directory always holds the last"
              + " finished epoch.")
  static final class Train implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", defaultValue = "fashion-mnist", description = "Data set key.")
    String data;

    @Option(names = "--data-path", paramLabel = "DIR", description = "Directory of the IDX files.")
    Path dataPath;

    @Option(names = "--split", defaultValue = "train", description = "Training split.")
    String split;

    @Option(names = "--test-split", defaultValue = "test", description = "Evaluation split.")
    String testSplit;

    @Option(names = "--epochs", defaultValue = "8", description = "Epochs (default 8).")
    int epochs;

    @Option(
        names = "--lr-drop-epoch",
        defaultValue = "0",
        description =
            "Divide Adam's learning rate (1e-3) by 10 from this epoch (1-based) on; 0: never"
                + " (default).")
    int lrDropEpoch;

    @Option(
        names = "--flip",
        description = "Mirror each training image left-right with probability 1/2 (seeded).")
    boolean flip;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of init and shuffle.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output dir.")
    Path out;

    @Option(names = "--force", description = "Replace an existing classifier directory.")
    boolean force;

    @Override
    public Integer call() throws IOException {
      if (epochs < 1) {
        throw new Main.UserException("--epochs must be >= 1 (got " + epochs + ")");
      }
      if (out.toFile().exists() && !force) {
        throw new Main.UserException(out + " already exists (use --force to replace it)");
      }
      Datasets sets = Datasets.standard();
      ImageDataset train = sets.load(data, split, Optional.ofNullable(dataPath));
      ImageDataset test = sets.load(data, testSplit, Optional.ofNullable(dataPath));
      for (ImageDataset d : new ImageDataset[] {train, test}) {
        if (!d.hasLabels() || d.channels() != 1 || d.height() != 28 || d.width() != 28) {
          throw new Main.UserException(
              d.name() + ": the classifier needs labelled 1 x 28 x 28 images, got " + d);
        }
      }
      PrintWriter w = spec.commandLine().getOut();
      w.printf(
          "train %s (%d images), test %s (%d images), seed %d%n",
          train.name(), train.size(), test.name(), test.size(), seed);
      Classifier c = Classifier.create(seed);
      ClassifierTrainer trainer = new ClassifierTrainer(c, train, seed);
      trainer.flip(flip);
      for (int e = 1; e <= epochs; e++) {
        if (lrDropEpoch > 0 && e >= lrDropEpoch) {
          trainer.learningRate(ClassifierTrainer.DEFAULT_LR / 10);
        }
        ClassifierTrainer.Epoch ep = trainer.epoch();
        INDArray probs = c.probabilities(test);
        double acc = Classifier.accuracy(probs, test.labels());
        Classifier.Score is = Classifier.inceptionScore(probs, IS_SPLITS);
        String command =
            String.format(
                Locale.ROOT,
                "agon classifier train --data %s%s --split %s --test-split %s --epochs %d%s%s"
                    + " --seed %d --out %s",
                data,
                dataPath == null ? "" : " --data-path " + dataPath,
                split,
                testSplit,
                e,
                lrDropEpoch > 0 ? " --lr-drop-epoch " + lrDropEpoch : "",
                flip ? " --flip" : "",
                seed,
                out);
        ClassifierStore.Metadata meta =
            new ClassifierStore.Metadata(
                data,
                split,
                train.size(),
                testSplit,
                test.size(),
                acc,
                is.mean(),
                is.std(),
                is.splits(),
                e,
                ClassifierTrainer.DEFAULT_BATCH,
                ClassifierTrainer.DEFAULT_LR,
                lrDropEpoch,
                ep.trainLoss(),
                seed,
                command);
        ClassifierStore.save(c, meta, out, e > 1 || force);
        w.printf(
            Locale.ROOT,
            "epoch %d/%d (lr %s): train loss %.4f, test accuracy %.4f, test IS %.3f +- %.3f (%.0f s);"
                + " wrote %s%n",
            e,
            epochs,
            trainer.learningRate(),
            ep.trainLoss(),
            acc,
            is.mean(),
            is.std(),
            ep.seconds(),
            out);
        w.flush();
      }
      return 0;
    }
  }

  @Command(
      name = "info",
      mixinStandardHelpOptions = true,
      description = "Print a classifier's metadata.")
  static final class Info implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "Classifier directory.")
    Path dir;

    @Option(names = "--verify", description = "Also load it, checking shapes and checksums.")
    boolean verify;

    @Override
    public Integer call() {
      ClassifierStore.Metadata m;
      try {
        m = verify ? ClassifierStore.load(dir).metadata() : ClassifierStore.metadata(dir);
      } catch (ClassifierFileException e) {
        throw new Main.UserException(e.getMessage());
      }
      PrintWriter w = spec.commandLine().getOut();
      w.println("architecture:   " + Classifier.ARCHITECTURE);
      for (String l : Classifier.LAYERS) {
        w.println("  " + l);
      }
      w.printf(
          Locale.ROOT,
          "data set:       %s, trained on %s (%d images) for %d epochs%n",
          m.dataset(),
          m.trainSplit(),
          m.trainSize(),
          m.epochs());
      w.printf(
          Locale.ROOT,
          "test accuracy:  %.4f on %s (%d images)%n",
          m.testAccuracy(),
          m.testSplit(),
          m.testSize());
      w.printf(
          Locale.ROOT,
          "real-data IS:   %.3f +- %.3f (%s split, %d splits)%n",
          m.inceptionScoreMean(),
          m.inceptionScoreStd(),
          m.testSplit(),
          m.inceptionScoreSplits());
      w.printf(
          Locale.ROOT,
          "training:       Adam %s%s, batch %d, seed %d, final train loss %.4f%n",
          m.learningRate(),
          m.lrDropEpoch() > 0 ? " (/10 from epoch " + m.lrDropEpoch() + " on)" : "",
          m.batchSize(),
          m.seed(),
          m.finalTrainLoss());
      w.println("command:        " + m.command());
      if (verify) {
        w.println("verified:       format, architecture, shapes and SHA-256 of every tensor file");
      }
      return 0;
    }
  }
}
