package dev.agon;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md's package table ("Packages"), checked on the compiled main classes with ArchUnit: each
 * package depends on no package of ours but those its "may import" column names, and the two that
 * say "only" depend on nothing else outside the JDK. Keep {@link #MAY_IMPORT} and the table the
 * same, row for row. Costs one import of target/classes (about a second).
 */
class PackageImportsTest {
  private static final String[] NUMERICS = {"nn", "objective", "data", "eval", "train", "tensor"};

  /**
   * The "may import" column of DESIGN.md's table, by row; "numerics" is {@link #NUMERICS},
   * "everything" is absent from the map (no rule), "nothing of ours" is an empty list.
   */
  static final Map<String, List<String>> MAY_IMPORT = new LinkedHashMap<>();

  static {
    MAY_IMPORT.put("tensor", List.of()); // ND4J only: also checked below
    MAY_IMPORT.put("config", List.of());
    MAY_IMPORT.put("data", List.of("tensor"));
    MAY_IMPORT.put("nn", List.of("tensor"));
    MAY_IMPORT.put("objective", List.of("nn", "tensor"));
    MAY_IMPORT.put("eval", List.of("nn", "data", "tensor", "util"));
    MAY_IMPORT.put("train", concat(List.of("config"), NUMERICS));
    MAY_IMPORT.put("util", List.of());
    MAY_IMPORT.put(
        "engine",
        concat(List.of("config", "metrics", "checkpoint", "util", "web", "transport"), NUMERICS));
    MAY_IMPORT.put("checkpoint", List.of("tensor", "util"));
    // config: the Player enum; transport: its counters, read by the node's meters; Micrometer
    MAY_IMPORT.put("metrics", List.of("config", "transport"));
    MAY_IMPORT.put("transport", List.of("tensor", "util")); // Aeron, Agrona, ND4J besides
    MAY_IMPORT.put("cluster", List.of("config", "engine", "util")); // engine: serializers
    MAY_IMPORT.put("web", List.of("metrics", "util", "config")); // config: run-time limits
    MAY_IMPORT.put(
        "bench", concat(List.of("config", "engine", "util"), NUMERICS)); // agon bench steps
  }

  static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("dev.agon");
  }

  @Test
  void theImportTableCoversEveryPackage() {
    List<String> packages =
        main.stream()
            .map(c -> c.getPackageName())
            .filter(p -> p.startsWith("dev.agon."))
            .map(p -> p.substring("dev.agon.".length()).split("\\.")[0])
            .distinct()
            .sorted()
            .toList();
    assertThatEachIsARow(packages);
  }

  @Test
  void eachPackageImportsOnlyWhatTheTableAllows() {
    // One composite rule, so that a failure lists every row the code breaks, not the first.
    List<ArchRule> rules = new ArrayList<>();
    for (Map.Entry<String, List<String>> row : MAY_IMPORT.entrySet()) {
      List<String> allowed = new ArrayList<>();
      allowed.add(pkg(row.getKey()));
      row.getValue().forEach(p -> allowed.add(pkg(p)));
      rules.add(
          classes()
              .that()
              .resideInAPackage(pkg(row.getKey()))
              .should()
              .onlyDependOnClassesThat(
                  not(resideInAPackage("dev.agon..")).or(resideInAnyPackage(array(allowed))))
              .because("DESIGN.md: " + row.getKey() + " may import " + row.getValue()));
    }
    CompositeArchRule.of(rules).check(main);
  }

  @Test
  void tensorUsesOnlyNd4jAndMetricsOnlyMicrometer() {
    classes()
        .that()
        .resideInAPackage("dev.agon.tensor..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "dev.agon.tensor..", "org.nd4j..", "org.bytedeco..", "")
        .because("DESIGN.md: tensor may import ND4J (with its JavaCPP natives) only")
        .check(main);
    classes()
        .that()
        .resideInAPackage("dev.agon.metrics..")
        .should()
        .onlyDependOnClassesThat(
            JavaClass.Predicates.resideInAnyPackage(
                    "java..", "dev.agon.metrics..", "io.micrometer..", "")
                .or(JavaClass.Predicates.equivalentTo(dev.agon.config.Player.class))
                .or(
                    JavaClass.Predicates.belongToAnyOf(
                        dev.agon.transport.TransportCounters.class,
                        dev.agon.transport.Failure.class,
                        dev.agon.transport.DropReason.class)))
        .because(
            "DESIGN.md: metrics may import Micrometer, and of ours the Player enum and the"
                + " transport's counters only")
        .check(main);
  }

  @Test
  void numericsNeverImportActorsOrMeters() {
    noClasses()
        .that()
        .resideInAnyPackage(array(List.of(NUMERICS).stream().map(PackageImportsTest::pkg).toList()))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.pekko..", "io.micrometer..")
        .because("DESIGN.md: numerics never import actors")
        .check(main);
  }

  @Test
  void transportImportsNoActorsMetersOrConfig() {
    noClasses()
        .that()
        .resideInAPackage("dev.agon.transport..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.pekko..", "io.micrometer..", "dev.agon.config..")
        .because("DESIGN.md: transport imports Aeron, Agrona and ND4J, no Pekko, no Micrometer")
        .check(main);
  }

  private static void assertThatEachIsARow(List<String> packages) {
    List<String> missing =
        packages.stream()
            .filter(p -> !p.equals("cli")) // "everything"
            .filter(p -> !MAY_IMPORT.containsKey(p))
            .toList();
    if (!missing.isEmpty()) {
      throw new AssertionError("packages missing from DESIGN.md's import table: " + missing);
    }
  }

  private static String pkg(String name) {
    return "dev.agon." + name + "..";
  }

  private static String[] array(List<String> l) {
    return l.toArray(String[]::new);
  }

  private static List<String> concat(List<String> a, String[] b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(List.of(b));
    return List.copyOf(all);
  }
}
