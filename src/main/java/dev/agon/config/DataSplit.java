package dev.agon.config;

/** Which split of an IDX data set to read. HOCON spelling: {@code train}, {@code test}. */
public enum DataSplit {
  TRAIN,
  TEST
}
