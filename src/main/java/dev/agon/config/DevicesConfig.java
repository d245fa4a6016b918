package dev.agon.config;

/**
 * Where each tensor-owning actor computes: the index of the backend device (a CUDA GPU) that its
 * pinned thread binds to when it starts. The CPU backend has one device, 0, so on CPU any other
 * index is refused before the run starts, and 0 changes nothing.
 */
public record DevicesConfig(
    @Doc("Device of the Generator's thread (a CUDA device index; the CPU backend has only 0).")
        @Min(0)
        @Max(63)
        int generator,
    @Doc("Device of the Discriminator's thread (a CUDA device index; the CPU backend has only 0).")
        @Min(0)
        @Max(63)
        int discriminator,
    @Doc("Device of the Evaluator's thread (a CUDA device index; the CPU backend has only 0).")
        @Min(0)
        @Max(63)
        int evaluator) {}
