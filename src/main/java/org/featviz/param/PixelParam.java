package org.featviz.param;

import java.util.Random;
import org.featviz.ir.Shape;

/**
 * The plain parameterization: one parameter per pixel and channel, image = sigmoid(p). Parameters
 * start as Gaussian noise of a small standard deviation (0.01 by default, as Lucid's pixel_image),
 * so the first image is a flat gray 0.5 with faint noise. Shapes: params and image [C, H, W].
 */
public final class PixelParam implements ImageParam {
  public static final double DEFAULT_STD = 0.01;

  private final Shape shape;
  private final double std;

  public PixelParam(Shape imageShape) {
    this(imageShape, DEFAULT_STD);
  }

  public PixelParam(Shape imageShape, double std) {
    this.shape = ImageShapes.check(imageShape, "pixel parameterization");
    if (!(std >= 0))
      throw new IllegalArgumentException("pixel parameterization: std must be >= 0, got " + std);
    this.std = std;
  }

  @Override
  public Shape imageShape() {
    return shape;
  }

  @Override
  public int size() {
    return shape.size();
  }

  @Override
  public void init(float[] params, Random rng) {
    for (int i = 0; i < size(); i++) params[i] = (float) (std * rng.nextGaussian());
  }

  @Override
  public void toImage(float[] params, float[] image) {
    for (int i = 0; i < size(); i++) image[i] = Sigmoid.of(params[i]);
  }

  @Override
  public void backward(float[] params, float[] gradImage, float[] gradParams) {
    for (int i = 0; i < size(); i++)
      gradParams[i] = gradImage[i] * Sigmoid.slope(Sigmoid.of(params[i]));
  }

  @Override
  public String describe() {
    return "pixel(std " + std + ")";
  }
}
