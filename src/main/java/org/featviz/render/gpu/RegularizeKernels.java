package org.featviz.render.gpu;

import java.util.ArrayList;
import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;

/**
 * Launcher of {@code cuda/regularize.cu}: every image regularizer of a render (total variation, L1,
 * blur) added into the image gradients of the masked samples of the batch in ONE launch. The GPU
 * twin of {@link org.featviz.objective.ImageRegularizers} (gradients only: the render loop never
 * uses the values).
 *
 * <p>Shapes: image and grad [B, C, H, W]; mask int[B] (nonzero: the samples updated this step); the
 * L1 terms float[K, 3] packed by {@link Terms#l1Rows()}.
 *
 * <pre>
 * RegularizeKernels.Terms terms = RegularizeKernels.Terms.of(fused, c * h * w);
 * DeviceBuffer l1 = device.toDevice(terms.l1Rows());
 * RegularizeKernels.apply(device, b, c, h, w, image, gradImage, mask, terms, l1);
 * </pre>
 */
public final class RegularizeKernels {
  /** Output pixels per block side; the kernel's REG_TILE. */
  static final int TILE = 16;

  /** Floats per L1 term: scale, pos_min, neg_max. */
  static final int L1_FLOATS = 3;

  private RegularizeKernels() {}

  /**
   * The kernel's arguments for a list of regularizers on images of M pixels: the summed
   * total-variation and blur scales (sum of weights / M; both kinds are linear in the weight) and
   * one row per L1 term.
   */
  public record Terms(float tvScale, float blurScale, float[] l1Rows) {
    public int l1Count() {
      return l1Rows.length / L1_FLOATS;
    }

    public static Terms of(List<FusedRegularizer> regularizers, int pixels) {
      if (pixels < 1)
        throw new IllegalArgumentException("regularizers need images of at least one pixel");
      double tv = 0;
      double blur = 0;
      List<float[]> l1 = new ArrayList<>();
      for (FusedRegularizer r : regularizers) {
        if (r instanceof FusedRegularizer.TotalVariation t) {
          tv += t.weight();
        } else if (r instanceof FusedRegularizer.Blur bl) {
          blur += bl.weight();
        } else if (r instanceof FusedRegularizer.L1 l) {
          l1.add(l1Row(l.weight() / pixels, l.center()));
        } else {
          throw new IllegalStateException("no kernel for " + r);
        }
      }
      float[] rows = new float[l1.size() * L1_FLOATS];
      for (int i = 0; i < l1.size(); i++)
        System.arraycopy(l1.get(i), 0, rows, i * L1_FLOATS, L1_FLOATS);
      return new Terms((float) (tv / pixels), (float) (blur / pixels), rows);
    }
  }

  /**
   * One L1 row: the scale and the float bounds of a double center: x >= posMin exactly when
   * (double) x > center, x <= negMax exactly when (double) x < center (the CPU's sign of x -
   * center, for every float x).
   */
  static float[] l1Row(double scale, double center) {
    if (!Double.isFinite(center))
      throw new IllegalArgumentException("l1 center must be finite, got " + center);
    float c = (float) center;
    float posMin;
    float negMax;
    if (c == center) {
      posMin = Math.nextUp(c);
      negMax = Math.nextDown(c);
    } else if (c > center) {
      posMin = c;
      negMax = Math.nextDown(c);
    } else {
      posMin = Math.nextUp(c);
      negMax = c;
    }
    return new float[] {(float) scale, posMin, negMax};
  }

  /**
   * grad[b] += the regularizers' gradients of image[b] for every b with mask[b] != 0; other samples
   * untouched. {@code l1} holds {@code terms.l1Rows()} on the device (may be any buffer when there
   * are none).
   */
  public static void apply(
      Device device,
      int batch,
      int channels,
      int height,
      int width,
      DeviceBuffer image,
      DeviceBuffer grad,
      DeviceBuffer mask,
      Terms terms,
      DeviceBuffer l1) {
    Launches.requireBatch(batch);
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "regularizers: image sizes must be positive, got C "
              + channels
              + ", "
              + height
              + "x"
              + width);
    }
    if (channels > Launches.MAX_GRID_Y) {
      throw new IllegalArgumentException(
          "regularizers: " + channels + " channels is over " + Launches.MAX_GRID_Y);
    }
    long size = (long) batch * channels * height * width;
    Launches.requireFloats(image, size, "image");
    Launches.requireFloats(grad, size, "image gradient");
    Launches.requireInts(mask, batch, "mask");
    if (terms.l1Count() > 0) Launches.requireFloats(l1, terms.l1Rows().length, "l1 terms");
    if (batch == 0) return;
    int tilesX = (width + TILE - 1) / TILE;
    int tilesY = (height + TILE - 1) / TILE;
    device.launch(
        "regularize_image",
        Dim3.of(tilesX * tilesY, channels, batch),
        Dim3.of(TILE, TILE),
        0,
        new KernelArgs()
            .ptr(image)
            .ptr(grad)
            .ptr(mask)
            .ptr(terms.l1Count() > 0 ? l1 : mask)
            .i32(terms.l1Count())
            .i32(batch)
            .i32(channels)
            .i32(height)
            .i32(width)
            .i32(tilesX)
            .f32(terms.tvScale())
            .f32(terms.blurScale()));
  }
}
