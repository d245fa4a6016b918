package dev.agon.data;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Finds an image data set by name, split and optional path, and loads it.
 *
 * <ul>
 *   <li>{@code fashion-mnist}, split {@code test}: the copy shipped in {@code data/fashion-mnist}
 *       under the project root (the working directory, or the checkout the running code was built
 *       in), else Debian's directory, else the download cache.
 *   <li>{@code fashion-mnist}, split {@code train}: Debian's package {@code dataset-fashion-mnist}
 *       ({@value #DEBIAN_FASHION_MNIST_DIR}), else the download cache ({@link DatasetDownloader}).
 *   <li>{@code mnist}, {@code idx}: any IDX data set, by path only.
 *   <li>{@code npy}: a {@code .npy} file of images ({@link NpyDataset}), by path.
 * </ul>
 *
 * <p>With a path, an IDX data set is read from that directory only: it must hold the images of the
 * split under the standard name ({@code train-images-idx3-ubyte} or {@code t10k-images-idx3-ubyte},
 * raw or with {@code .gz}); the labels ({@code *-labels-idx1-ubyte}) are read when present. Image
 * folders need a size and colour mode, so they are loaded with {@link ImageFolderDataset} directly.
 * A missing data set is a {@link DatasetException} that lists where it looked and how to get the
 * data. Cost: that of the reader (about 0.1 s for the test split).
 */
public final class Datasets {
  /** Where Debian's {@code dataset-fashion-mnist} installs the four gzip files. */
  public static final String DEBIAN_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

  /** The shipped test split, relative to the project root. */
  public static final Path EMBEDDED = Path.of("data", "fashion-mnist");

  private static final String HOW_TO_GET =
      "get it with `apt-get install dataset-fashion-mnist` (Debian, Ubuntu), point data.path at a"
          + " directory holding the IDX files, or download it with --download"
          + " (DatasetDownloader)";

  private final List<Path> roots;
  private final Path debian;
  private final Path cache;

  /**
   * A resolver that looks for the shipped split under each of {@code projectRoots} in turn, for
   * Debian's files in {@code debianDir} and for downloads in {@code cacheDir}.
   */
  public Datasets(List<Path> projectRoots, Path debianDir, Path cacheDir) {
    this.roots = List.copyOf(projectRoots);
    this.debian = debianDir;
    this.cache = cacheDir;
  }

  /**
   * The standard places: project roots {@link #projectRoots()}, Debian's directory and {@link
   * DatasetDownloader#defaultCacheDir()}.
   */
  public static Datasets standard() {
    return new Datasets(
        projectRoots(), Path.of(DEBIAN_FASHION_MNIST_DIR), DatasetDownloader.defaultCacheDir());
  }

  /**
   * The working directory, then the checkout the running code comes from (the directory above
   * {@code target/} for {@code target/classes} or {@code target/agon.jar}), so {@code ./agon} finds
   * the shipped data from any working directory.
   */
  public static List<Path> projectRoots() {
    Set<Path> out = new LinkedHashSet<>();
    out.add(Path.of("").toAbsolutePath());
    try {
      CodeSource src = Datasets.class.getProtectionDomain().getCodeSource();
      if (src != null && src.getLocation() != null) {
        Path code = Path.of(src.getLocation().toURI()).toAbsolutePath();
        Path target = code.getParent();
        if (target != null
            && target.getFileName() != null
            && target.getFileName().toString().equals("target")
            && target.getParent() != null) {
          out.add(target.getParent());
        }
      }
    } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
      // No usable code location (e.g. a custom class loader): the working directory only.
    }
    return List.copyOf(out);
  }

  /**
   * The data set {@code name} ({@code fashion-mnist}, {@code mnist}, {@code idx}, {@code npy}),
   * split {@code train} or {@code test} (IDX sets), from {@code path} when given.
   */
  public ImageDataset load(String name, String split, Optional<Path> path) {
    String n = name.toLowerCase(Locale.ROOT);
    switch (n) {
      case "fashion-mnist":
        return path.isPresent() ? idx(n, path.get(), split) : fashionMnist(split);
      case "mnist":
      case "idx":
        if (path.isEmpty()) {
          throw new DatasetException(
              name
                  + ": no path given; point data.path at a directory holding "
                  + filePrefix(split)
                  + "-images-idx3-ubyte[.gz] (and "
                  + filePrefix(split)
                  + "-labels-idx1-ubyte[.gz])");
        }
        return idx(n, path.get(), split);
      case "npy":
        if (path.isEmpty()) {
          throw new DatasetException(name + ": no path given; point data.path at a .npy file");
        }
        return NpyDataset.load(path.get());
      default:
        throw new DatasetException(
            "unknown data set '"
                + name
                + "'; known: fashion-mnist, mnist, idx, npy (image folders: ImageFolderDataset)");
    }
  }

  /** The IDX data set of {@code split} in {@code dir}, named {@code name/split}. */
  public static ImageDataset idx(String name, Path dir, String split) {
    String prefix = filePrefix(split);
    Path images = find(dir, prefix + "-images-idx3-ubyte");
    if (images == null) {
      throw new DatasetException(
          name
              + " ("
              + split
              + " split): "
              + dir
              + (Files.isDirectory(dir) ? "" : " (no such directory)")
              + " holds no "
              + prefix
              + "-images-idx3-ubyte or "
              + prefix
              + "-images-idx3-ubyte.gz");
    }
    return IdxReader.read(name + "/" + split, images, find(dir, prefix + "-labels-idx1-ubyte"));
  }

  private ImageDataset fashionMnist(String split) {
    String prefix = filePrefix(split);
    List<Path> dirs = new ArrayList<>();
    List<String> what = new ArrayList<>();
    if (prefix.equals("t10k")) {
      for (Path r : roots) {
        dirs.add(r.resolve(EMBEDDED));
        what.add("shipped copy");
      }
    }
    dirs.add(debian);
    what.add("Debian's dataset-fashion-mnist");
    dirs.add(cache);
    what.add("downloads");
    StringBuilder looked = new StringBuilder();
    for (int i = 0; i < dirs.size(); i++) {
      Path d = dirs.get(i);
      if (find(d, prefix + "-images-idx3-ubyte") != null) {
        return idx("fashion-mnist", d, split);
      }
      looked.append(i == 0 ? "" : ", ").append(d).append(" (").append(what.get(i)).append(')');
    }
    throw new DatasetException(
        "fashion-mnist ("
            + split
            + " split) not found: looked for "
            + prefix
            + "-images-idx3-ubyte[.gz] in "
            + looked
            + "; "
            + HOW_TO_GET);
  }

  /** "train" → "train", "test" → "t10k" (the MNIST file-name prefixes). */
  static String filePrefix(String split) {
    switch (split.toLowerCase(Locale.ROOT)) {
      case "train":
        return "train";
      case "test":
      case "t10k":
        return "t10k";
      default:
        throw new DatasetException("unknown split '" + split + "'; use train or test");
    }
  }

  /** {@code dir/base.gz} or {@code dir/base}, whichever is a file (gzip first), else null. */
  private static Path find(Path dir, String base) {
    for (String n : new String[] {base + ".gz", base}) {
      Path p = dir.resolve(n);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }
}
