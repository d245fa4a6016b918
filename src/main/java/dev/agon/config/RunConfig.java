package dev.agon.config;

/** Identity of a run; its outputs are written to {@code dir/name}. */
public record RunConfig(
    @Doc("Name of the run; its outputs go to the directory dir/name.")
        @NonEmpty
        @Pattern("[A-Za-z0-9._-]+")
        String name,
    @Doc("Parent directory of run directories, relative to the working directory or absolute.")
        @NonEmpty
        String dir) {}
