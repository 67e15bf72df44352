package org.featviz.device;

import org.featviz.cuda.ArithmeticKernelCases;
import org.featviz.cuda.ConvertKernelCases;
import org.featviz.cuda.ElementwiseKernelCases;
import org.featviz.cuda.LayoutKernelCases;
import org.featviz.cuda.NormalizeKernelCases;
import org.featviz.cuda.PointwiseKernelCases;
import org.featviz.cuda.PoolKernelCases;
import org.featviz.cuda.ReduceKernelCases;
import org.featviz.cuda.UnaryKernelCases;
import org.featviz.eval.AblationKernelCases;
import org.featviz.eval.DatasetKernelCases;
import org.featviz.geometry.DeviceRegionsCases;
import org.featviz.plan.BatchedMatMulAndPoolKernelCases;
import org.featviz.plan.ConvReluFusionCases;
import org.featviz.plan.DevicePlanGraphsCases;
import org.featviz.plan.DevicePlanHalfCases;
import org.featviz.plan.DevicePlanOpsCases;
import org.featviz.plan.ImageModelOpsCases;
import org.featviz.render.gpu.AdamKernelCases;
import org.featviz.render.gpu.DeviceObjectivesCases;
import org.featviz.render.gpu.DiversityKernelCases;
import org.featviz.render.gpu.ObjectiveKernelCases;
import org.featviz.render.gpu.ParamKernelCases;
import org.featviz.render.gpu.RegularizeKernelCases;
import org.featviz.render.gpu.RenderKernelCases;
import org.featviz.render.gpu.RsCountCases;
import org.featviz.render.gpu.TransformKernelCases;
import org.featviz.render.gpu.WhitenedObjectiveCases;
import org.junit.jupiter.api.Nested;

/**
 * Every {@code *Cases} class on the first GPU, one {@code @Nested} class each, named after it
 * (reports say {@code GpuTest$ReduceKernel}): tagged {@code gpu} by {@link OnGpu}, skipped where
 * there is no GPU, failed there under {@code FEATVIZ_REQUIRE_GPU=1}. Their emulator runs are {@link
 * EmuTest}. Case classes that differ on a GPU run as classes of their own: CudaDeviceTest (the
 * device contract), DeviceRendererGpuTest (cuDNN's deterministic algorithms), RenderDeviceGpuTest.
 */
@OnGpu
class GpuTest {
  // cuda/*.cu kernels against CPU references (org.featviz.cuda)
  @Nested
  class ArithmeticKernel extends ArithmeticKernelCases {}

  @Nested
  class ConvertKernel extends ConvertKernelCases {}

  @Nested
  class ElementwiseKernel extends ElementwiseKernelCases {}

  @Nested
  class LayoutKernel extends LayoutKernelCases {}

  @Nested
  class NormalizeKernel extends NormalizeKernelCases {}

  @Nested
  class PointwiseKernel extends PointwiseKernelCases {}

  @Nested
  class PoolKernel extends PoolKernelCases {}

  @Nested
  class ReduceKernel extends ReduceKernelCases {}

  @Nested
  class UnaryKernel extends UnaryKernelCases {}

  // cuDNN and cuBLAS through featviz's binding
  /** The TF32 test fails where TF32 never engages (docs/emulator.md). */
  @Nested
  class LibraryOps extends LibraryOpsCases {}

  /** cudnnConvolutionBiasActivationForward and cublasSgemmStridedBatched. */
  @Nested
  class FusedAndBatchedOps extends FusedAndBatchedOpsCases {}

  /**
   * BF16 and FP16 against FP32 on the same GPU, with the emulator's bounds; BF16 needs compute
   * capability 8.0.
   */
  @Nested
  class MixedPrecision extends MixedPrecisionCases {}

  // The dataset passes of an analysis (org.featviz.eval)
  @Nested
  class DatasetKernel extends DatasetKernelCases {}

  @Nested
  class AblationKernel extends AblationKernelCases {}

  // Device plans against the CPU executor (org.featviz.plan)
  @Nested
  class BatchedMatMulAndPoolKernel extends BatchedMatMulAndPoolKernelCases {}

  @Nested
  class ConvReluFusion extends ConvReluFusionCases {}

  @Nested
  class DevicePlanGraphs extends DevicePlanGraphsCases {}

  /** fashion-cnn on 8 Fashion-MNIST test images, which the bundle carries (docs/bundle.md). */
  @Nested
  class DevicePlanHalf extends DevicePlanHalfCases {}

  @Nested
  class DevicePlanOps extends DevicePlanOpsCases {}

  @Nested
  class ImageModelOps extends ImageModelOpsCases {}

  // The kernels of the visualization step (org.featviz.render.gpu)
  @Nested
  class AdamKernel extends AdamKernelCases {}

  @Nested
  class DeviceObjectives extends DeviceObjectivesCases {}

  @Nested
  class DiversityKernel extends DiversityKernelCases {}

  @Nested
  class ObjectiveKernel extends ObjectiveKernelCases {}

  @Nested
  class ParamKernel extends ParamKernelCases {}

  @Nested
  class RegularizeKernel extends RegularizeKernelCases {}

  @Nested
  class RenderKernel extends RenderKernelCases {}

  @Nested
  class RsCountKernel extends RsCountCases {}

  // Sign-region maps on the device (org.featviz.geometry)
  @Nested
  class DeviceRegions extends DeviceRegionsCases {}

  @Nested
  class TransformKernel extends TransformKernelCases {}

  @Nested
  class WhitenedObjective extends WhitenedObjectiveCases {}
}
