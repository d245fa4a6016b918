package dev.agon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DefaultsTest {

  /** The documented defaults: the fashion-mnist-dcgan experiment. */
  static AgonConfig documented() {
    NetConfig net = new NetConfig(List.of(128, 128), Activation.TANH, Activation.IDENTITY, 0.2);
    return new AgonConfig(
        new RunConfig("fashion-mnist-dcgan", "runs"),
        1L,
        new DataConfig(
            DataKind.FASHION_MNIST,
            "",
            DataSplit.TEST,
            false,
            32,
            1,
            new RingConfig(8, 1.0, 0.01),
            new GridConfig(5, 2.0, 0.05),
            4,
            "none",
            1L),
        new ModelConfig(
            Architecture.DCGAN,
            100,
            net,
            net,
            new DcganConfig(64, true),
            new Goodfellow2014Config(1200, 240, 5, 0.2, 0.5, false, 0.0, 0.0, false),
            false,
            new InfoGanConfig(0, 0, 1.0),
            false,
            1),
        new ObjectiveConfig(
            ObjectiveKind.GAN, GeneratorLoss.NON_SATURATING, 1.0, 10.0, 0.0, 0.0, 1, 10, 1.0),
        new OptimConfig(
            new OptimizerConfig(
                OptimizerKind.ADAM,
                2e-4,
                0.5,
                0.999,
                1e-8,
                0.0,
                false,
                MomentumRampConfig.OFF,
                LrScheduleConfig.CONSTANT),
            new OptimizerConfig(
                OptimizerKind.ADAM,
                2e-4,
                0.5,
                0.999,
                1e-8,
                0.0,
                false,
                MomentumRampConfig.OFF,
                LrScheduleConfig.CONSTANT)),
        new ScheduleConfig(1, 0, 3000L, 64),
        new StabilizersConfig(
            new HistoricalAveragingConfig(0.0, 0.0, 0L, 0L),
            new EmaConfig(false, 0.999, 0L),
            new FeatureMatchingConfig(false, -2),
            new MinibatchDiscriminationConfig(false, 100, 5),
            new VirtualBatchNormConfig(false, 64)),
        new EvalConfig(
            5000,
            500L,
            0L,
            true,
            java.util.List.of("is", "fid", "pr", "dc", "classes"),
            true,
            "",
            ""),
        new LogConfig(500L),
        new MetricsConfig(true, "127.0.0.1", 9464, true, ""),
        new CheckpointConfig(500L, 600L, 3, BestMetric.NONE, 300L),
        new GuardConfig(3, 0.5, 3),
        new DevicesConfig(0, 0, 0),
        new ClusterConfig(
            30,
            300,
            1000,
            5000,
            false,
            DataTransport.IPC,
            new ClusterConfig.TlsConfig(false, "", "", "")));
  }

  @Test
  void defaultsEqualTheDocumentedValues() {
    assertThat(ConfigLoader.load(Optional.empty(), List.of()).config()).isEqualTo(documented());
  }

  @Test
  void everyKeyOfDefaultsConfHasAComment() {
    List<String> uncommented = new ArrayList<>();
    collectUncommented(ConfigLoader.defaults().root(), "", uncommented);
    assertThat(uncommented).isEmpty();
  }

  private static void collectUncommented(ConfigObject object, String path, List<String> out) {
    for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
      String key = Names.join(path, e.getKey());
      boolean commented = e.getValue().origin().comments().stream().anyMatch(c -> !c.isBlank());
      if (!commented) {
        out.add(key);
      }
      if (e.getValue() instanceof ConfigObject child) {
        collectUncommented(child, key, out);
      }
    }
  }

  @Test
  void everyRecordComponentHasADoc() {
    List<String> undocumented = new ArrayList<>();
    collectUndocumented(AgonConfig.class, "", undocumented);
    assertThat(undocumented).isEmpty();
  }

  private static void collectUndocumented(Class<?> type, String path, List<String> out) {
    for (RecordComponent c : type.getRecordComponents()) {
      String key = Names.join(path, Names.kebab(c.getName()));
      Doc doc = c.getAnnotation(Doc.class);
      if (doc == null || doc.value().isBlank()) {
        out.add(key);
      }
      Type t = c.getGenericType();
      if (t instanceof Class<?> k && k.isRecord()) {
        collectUndocumented(k, key, out);
      } else if (t instanceof ParameterizedType p
          && p.getActualTypeArguments()[0] instanceof Class<?> k
          && k.isRecord()) {
        collectUndocumented(k, key, out);
      }
    }
  }

  @Test
  void defaultsOriginsAreDefaultsConfAndLine() throws IOException {
    String text;
    try (InputStream in = ConfigLoader.class.getResourceAsStream("defaults.conf")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> lines = text.lines().toList();
    int line = lines.indexOf("  batch-size = 64") + 1;
    assertThat(line).isPositive();
    ConfigValue value = ConfigLoader.defaults().getValue("schedule.batch-size");
    assertThat(Origins.format(value.origin())).isEqualTo("defaults.conf:" + line);
  }

  @Test
  void listsAreCopiedAndUnmodifiable() {
    List<Integer> hidden = new ArrayList<>(List.of(4, 5));
    NetConfig net = new NetConfig(hidden, Activation.RELU, Activation.IDENTITY, 0.0);
    hidden.add(6);
    assertThat(net.hidden()).containsExactly(4, 5);
    assertThatThrownBy(() -> net.hidden().add(7)).isInstanceOf(UnsupportedOperationException.class);
    NetConfig loaded = ConfigLoader.load(Optional.empty(), List.of()).config().model().generator();
    assertThatThrownBy(() -> loaded.hidden().set(0, 1))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
