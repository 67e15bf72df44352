package org.featviz.cli;

import org.featviz.device.OnGpu;

/**
 * {@code featviz render/sweep --device gpu} against the CPU on a GPU; skipped where there is none.
 */
@OnGpu
class RenderDeviceGpuTest extends RenderDeviceCases {}
