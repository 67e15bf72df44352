package org.featviz.device;

/**
 * Local response normalization across channels, as ONNX LRN and cuDNN's cross-channel LRN define it
 * (the same formula and window; cuDNN divides alpha by the window size itself, as ONNX does).
 *
 * <pre>
 * Shapes: N batch, C channels, S spatial positions (product of the spatial axes, 1 for N x C); x and y  N x C x S
 *   window(c)  = channels c - floor((size - 1) / 2) .. c + ceil((size - 1) / 2), clipped to 0 .. C - 1
 *   y[n, c, s] = x[n, c, s] (bias + alpha / size * sum over i in window(c) of x[n, i, s]^2)^(-beta)
 * </pre>
 *
 * cuDNN's limits apply on both devices: {@code 1 <= size <= 16}, {@code bias >= 1e-5}, {@code beta
 * >= 0.01}.
 */
public record LrnDescriptor(int n, int c, int s, int size, float alpha, float beta, float bias)
    implements UnaryDescriptor {
  public LrnDescriptor {
    if (n < 1 || c < 1 || s < 1)
      throw new IllegalArgumentException(
          "lrn: N " + n + ", C " + c + ", S " + s + " must be positive");
    if (size < 1 || size > 16 || !(bias >= 1e-5f) || !(beta >= 0.01f) || Float.isNaN(alpha)) {
      throw new IllegalArgumentException(
          "lrn: cuDNN needs 1 <= size <= 16, bias >= 1e-5 and beta >= 0.01; got size "
              + size
              + ", alpha "
              + alpha
              + ", beta "
              + beta
              + ", bias "
              + bias);
    }
  }

  @Override
  public long outputCount() {
    return (long) n * c * s;
  }

  @Override
  public String operation() {
    return "lrn";
  }
}
