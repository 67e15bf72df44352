/**
 * The execution plan of the device backend: {@link org.featviz.plan.DevicePlan} lowers a prepared
 * IR graph (static shapes, from org.featviz.passes.Prepare) to an ordered list of steps (one small
 * class per step kind: ConvStep, ConvBiasReluStep, GemmStep, MatMulStep, UnaryLibraryStep (pooling,
 * activations, LRN, softmax), WindowPoolStep, ArithmeticStep, ...; Lowering, SpatialLowering,
 * ReluFusion), wires the input-gradient backward (StepProgram, BackwardWiring), and plans every
 * buffer by lifetime (PlanMemory, Timeline, BufferPlanner); {@link org.featviz.plan.DeviceExecutor}
 * runs it with the API of the CPU executor. The plan decides the precision of its convolutions and
 * GEMMs: each plan's {@link org.featviz.plan.MixedPrecision} calls the device library in FP32 and
 * TF32, and in BF16 and FP16 stages 16-bit copies of their operands in the plan's own arena for the
 * library's 16-bit operations.
 *
 * <p>The package is {@code org.featviz.plan}, not {@code org.featviz.cuda.plan}, because nothing
 * here is specific to CUDA: a plan runs on any {@link org.featviz.device.Device}, the host emulator
 * in CI as well as a GPU, through the device's library operations ({@code device.library()},
 * cuDNN/cuBLAS semantics) and its custom kernels ({@link org.featviz.plan.CustomKernels}). The CUDA
 * binding itself stays in org.featviz.cuda, thin and mechanical. This is also where the team's
 * design notes put lowering and buffer planning. How it works: docs/design.md, "The device
 * execution plan".
 */
package org.featviz.plan;
