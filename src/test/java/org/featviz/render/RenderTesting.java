package org.featviz.render;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.cpu.CpuExecutor;
import org.featviz.ir.Graph;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.model.InputNormalization;
import org.featviz.param.FftParam;
import org.featviz.param.ImageParam;
import org.featviz.param.PixelParam;

/**
 * What a render starts from, for tests that need to know it (is a unit silent on its start image?).
 */
public final class RenderTesting {
  private RenderTesting() {}

  /**
   * The largest activation of target t's unit (over its positions) on the image a render with these
   * options starts t from, untransformed, as both renderers draw it: from {@link Renderer#seedFor}
   * and the parameterization's initialization. 0 means the unit is silent there.
   */
  public static double startMax(
      Graph graph, InputNormalization norm, RenderOptions opts, RenderTarget t) {
    String input = graph.input().name();
    Shape in = graph.shape(input);
    Shape image = Shape.of(in.dim(1), in.dim(2), in.dim(3));
    ImageParam param =
        opts.param().equals("fft")
            ? new FftParam(image, opts.decay(), FftParam.DEFAULT_STD, image.dim(0) == 3)
            : new PixelParam(image);
    float[] params = new float[param.size()];
    param.init(params, new Random(RenderSteps.seedFor(opts, List.of(t), 0)));
    float[] pixels = new float[image.size()];
    param.toImage(params, pixels);
    Tensor x = norm.apply(Tensor.of(Shape.of(1, image.dim(0), image.dim(1), image.dim(2)), pixels));
    Tensor a = new CpuExecutor(graph).forward(Map.of(input, x), List.of(t.layer())).get(t.layer());
    int[] range = RenderSteps.unitRange(t, a.shape());
    double max = Double.NEGATIVE_INFINITY;
    for (int i = range[0]; i < range[0] + range[1]; i++) max = Math.max(max, a.data()[i]);
    return max;
  }
}
