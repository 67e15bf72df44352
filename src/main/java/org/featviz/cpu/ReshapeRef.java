package org.featviz.cpu;

/**
 * Reshape, Flatten, Squeeze and Unsqueeze: ops that only relabel the shape, so the row-major
 * elements are copied unchanged and the gradient flows back unchanged. Shape inputs (Reshape's
 * shape, the axes) get no gradient.
 */
final class ReshapeRef implements DataGradientKernel {
  @Override
  public void forward(KernelCall c, float[] x, float[] y) {
    System.arraycopy(x, 0, y, 0, x.length);
  }

  @Override
  public void backward(KernelCall c, float[] dy, float[] dx) {
    for (int i = 0; i < dx.length; i++) dx[i] += dy[i];
  }
}
