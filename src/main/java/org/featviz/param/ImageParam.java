package org.featviz.param;

import java.util.Random;
import org.featviz.ir.Shape;

/**
 * How an image [C, H, W] with values in (0, 1) is made from the parameters that the optimizer
 * updates (pixel or FFT spectral). One instance serves every image of a batch; each call handles
 * one image.
 */
public interface ImageParam {
  /** The image shape [C, H, W]. */
  Shape imageShape();

  /** Parameters per image. */
  int size();

  /** Fills one image's parameters with their random initial values. */
  void init(float[] params, Random rng);

  /** params[size()] -> image[C*H*W]. */
  void toImage(float[] params, float[] image);

  /** Sets gradParams = d image / d params applied to gradImage (the chain rule through toImage). */
  void backward(float[] params, float[] gradImage, float[] gradParams);

  /** A short description such as "fft(decay 1, decorrelated)". */
  String describe();
}
