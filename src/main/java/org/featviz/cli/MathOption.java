package org.featviz.cli;

import org.featviz.device.MathMode;
import org.featviz.ir.ModelException;
import picocli.CommandLine.Option;

/**
 * {@code --math fp32|tf32|bf16|fp16}, shared by the commands that run on a device (eval,
 * conformance, render, sweep). Without the option a command takes its own default: TF32 where
 * results only need to be good images and predictions (render, sweep, eval: tensor cores, errors
 * about 2e-4 relative on the emulator), FP32 where they are compared to the last bits
 * (conformance). BF16 and FP16 are mixed precision (MathMode, MixedPrecision). The CPU backend
 * always computes in FP32.
 */
final class MathOption {
  @Option(
      names = "--math",
      paramLabel = "MODE",
      description =
          "device arithmetic for convolutions and GEMMs: fp32, tf32 (tensor cores, 10-bit mantissa"
              + " inputs, FP32 accumulation; faster on Ampere and later GPUs), or bf16 / fp16 (mixed precision: 16-bit"
              + " inputs and convolution outputs, FP32 accumulation, everything else FP32). Default: tf32 (fp32 for"
              + " conformance). The CPU backend is always FP32")
  String math;

  /**
   * The mode asked for, else {@code commandDefault}; a ModelException for anything MathMode.parse
   * does not name.
   */
  MathMode mode(MathMode commandDefault) {
    if (math == null) return commandDefault;
    try {
      return MathMode.parse(math);
    } catch (IllegalArgumentException e) {
      throw new ModelException("--math " + math + ": expected " + MathMode.NAMES);
    }
  }
}
