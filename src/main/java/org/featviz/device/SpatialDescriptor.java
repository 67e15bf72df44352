package org.featviz.device;

/**
 * What {@link ConvDescriptor} and {@link PoolDescriptor} share: dense N x C x in... input tensors
 * over their {@link SpatialAxes}.
 */
public interface SpatialDescriptor {
  /** Batch. */
  int n();

  /** Input channels. */
  int c();

  SpatialAxes axes();

  /** Input size per spatial axis. */
  default int[] in() {
    return axes().in();
  }

  default int[] pads() {
    return axes().pads();
  }

  default int[] strides() {
    return axes().strides();
  }

  /** Output size per spatial axis. */
  default int[] out() {
    return axes().out();
  }

  /** x's dims: N x C x in. */
  default int[] inputDims() {
    return Dims.concat(new int[] {n(), c()}, in());
  }

  default long inputCount() {
    return Dims.product(inputDims());
  }
}
