package org.featviz.cli;

import org.featviz.device.MathMode;
import org.featviz.ir.ModelException;
import picocli.CommandLine.Option;

/**
 * {@code --math fp32|tf32|bf16|fp16}, shared by the commands that run on a device (eval, conformance, render,
 * sweep). FP32 is the default for now: TF32 by default on GPUs that have tensor cores is planned once its speed and
 * error are measured on a GPU host. BF16 and FP16 are mixed precision (MathMode, MixedPrecision).
 */
final class MathOption {
  @Option(names = "--math", defaultValue = "fp32", paramLabel = "MODE",
      description = "device arithmetic for convolutions and GEMMs: fp32 (default), tf32 (tensor cores, 10-bit"
          + " mantissa inputs, FP32 accumulation; faster on Ampere and later GPUs), or bf16 / fp16 (mixed precision:"
          + " 16-bit inputs and convolution outputs, FP32 accumulation, everything else FP32). The CPU backend is"
          + " always FP32")
  String math;

  /** The mode asked for; a ModelException for anything MathMode.parse does not name. */
  MathMode mode() {
    try {
      return MathMode.parse(math);
    } catch (IllegalArgumentException e) {
      throw new ModelException("--math " + math + ": expected " + MathMode.NAMES);
    }
  }
}
