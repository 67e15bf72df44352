package org.featviz.render.gpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Shape;
import org.featviz.objective.ImageRegularizer;

/**
 * The image regularizers of a render on the device: the device side of the CPU renderer's {@code
 * r.evaluate(image, shape, gradImage)} per updated image. Every regularizer with a fused form
 * ({@link FusedLowering#regularizer}: total variation, L1, blur) is added by ONE launch of {@link
 * RegularizeKernels} for the whole batch, masked to the samples updated this step. A regularizer
 * without one (a user's own implementation) is evaluated on the host, from the images and image
 * gradients copied back, for those samples only; only renders with such a regularizer pay for that
 * round trip.
 */
final class DeviceRegularizers implements AutoCloseable {
  private final Device device;
  private final Shape imageShape;
  private final int batch;
  private final List<ImageRegularizer> onHost = new ArrayList<>();
  private final RegularizeKernels.Terms terms;
  private final boolean anyFused;
  private DeviceBuffer l1;

  /**
   * @param imageShape one image [C, H, W]
   */
  DeviceRegularizers(
      Device device, List<ImageRegularizer> regularizers, Shape imageShape, int batch) {
    this.device = device;
    this.imageShape = imageShape;
    this.batch = batch;
    List<FusedRegularizer> fused = new ArrayList<>();
    for (ImageRegularizer r : regularizers) {
      Optional<FusedRegularizer> f = FusedLowering.regularizer(r);
      if (f.isPresent()) {
        fused.add(f.get());
      } else {
        onHost.add(r);
      }
    }
    this.anyFused = !fused.isEmpty();
    this.terms = RegularizeKernels.Terms.of(fused, imageShape.size());
    if (terms.l1Count() > 0) l1 = device.toDevice(terms.l1Rows());
  }

  boolean isEmpty() {
    return !anyFused && onHost.isEmpty();
  }

  /**
   * gradImage[b] += every regularizer's gradient of image[b] for the samples with update[b]; {@code
   * mask} is an int[B] scratch buffer (overwritten with the update flags).
   */
  void apply(DeviceBuffer image, DeviceBuffer gradImage, DeviceBuffer mask, boolean[] update) {
    if (anyFused) {
      int[] flags = new int[batch];
      for (int b = 0; b < batch; b++) flags[b] = update[b] ? 1 : 0;
      device.copyToDevice(flags, mask);
      RegularizeKernels.apply(
          device,
          batch,
          imageShape.dim(0),
          imageShape.dim(1),
          imageShape.dim(2),
          image,
          gradImage,
          mask,
          terms,
          l1);
    }
    if (!onHost.isEmpty()) applyOnHost(image, gradImage, update);
  }

  private void applyOnHost(DeviceBuffer image, DeviceBuffer gradImage, boolean[] update) {
    int pixels = imageShape.size();
    float[] images = new float[batch * pixels];
    float[] grads = new float[batch * pixels];
    device.copyToHost(image, 0, images, 0, images.length);
    device.copyToHost(gradImage, 0, grads, 0, grads.length);
    for (int b = 0; b < batch; b++) {
      if (!update[b]) continue;
      float[] img = Arrays.copyOfRange(images, b * pixels, (b + 1) * pixels);
      float[] g = Arrays.copyOfRange(grads, b * pixels, (b + 1) * pixels);
      for (ImageRegularizer r : onHost) r.evaluate(img, imageShape, g);
      System.arraycopy(g, 0, grads, b * pixels, pixels);
    }
    device.copyToDevice(grads, gradImage);
  }

  @Override
  public void close() {
    if (l1 != null) l1.close();
    l1 = null;
  }
}
