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
import org.featviz.render.gpu.DeviceRendererCases;
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
 * Every {@code *Cases} class on the host emulator (CI; not a GPU verification), one {@code @Nested}
 * class each, named after it: reports say {@code EmuTest$ReduceKernel}, and {@code
 * -Dtest='EmuTest$ReduceKernel'} runs one. Their GPU runs are {@link GpuTest}. Case classes that
 * add emulator-only tests run as classes of their own: EmulatedDeviceTest (the device contract),
 * MixedPrecisionEmuTest, RenderDeviceOptionTest.
 */
@OnEmulator
class EmuTest {
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

  // The library operations, which the emulator computes with the CPU reference
  @Nested
  class LibraryOps extends LibraryOpsCases {}

  @Nested
  class FusedAndBatchedOps extends FusedAndBatchedOpsCases {}

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

  @Nested
  class DevicePlanHalf extends DevicePlanHalfCases {}

  @Nested
  class DevicePlanOps extends DevicePlanOpsCases {}

  @Nested
  class ImageModelOps extends ImageModelOpsCases {}

  // The kernels of the visualization step and the device render loop (org.featviz.render.gpu)
  @Nested
  class AdamKernel extends AdamKernelCases {}

  @Nested
  class DeviceObjectives extends DeviceObjectivesCases {}

  @Nested
  class DeviceRenderer extends DeviceRendererCases {}

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
