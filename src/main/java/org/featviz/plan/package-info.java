/**
 * The execution plan of the device backend: {@link org.featviz.plan.DevicePlan} lowers a prepared IR graph (static
 * shapes, from org.featviz.passes.Prepare) to an ordered list of steps (one small class per step kind: ConvStep,
 * ConvBiasReluStep, GemmStep, MatMulStep, PoolStep, WindowPoolStep, ActivationStep, ArithmeticStep, ...; Lowering,
 * SpatialLowering, ReluFusion), wires the input-gradient backward (StepProgram, BackwardWiring), and plans every
 * buffer by lifetime (PlanMemory, Timeline, BufferPlanner); {@link org.featviz.plan.DeviceExecutor} runs it with the
 * API of the CPU executor.
 *
 * <p>The package is {@code org.featviz.plan}, not {@code org.featviz.cuda.plan}, because nothing here is specific
 * to CUDA: a plan runs on any {@link org.featviz.device.Device}, the host emulator in CI as well as a GPU, through
 * the device's library operations (cuDNN/cuBLAS semantics) and its custom kernels ({@link
 * org.featviz.plan.CustomKernels}). The CUDA binding itself stays in org.featviz.cuda, thin and mechanical. This is
 * also where the team's design notes put lowering and buffer planning. How it works: docs/design.md, "The device
 * execution plan".
 */
package org.featviz.plan;
