package org.featviz.objective;

import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;

/**
 * A decorrelating (ZCA) transform of a layer's activation vectors, estimated from dataset
 * activations: z = W (a - mu) with mu the sample mean and W = (Sigma + eps I)^(-1/2), Sigma the
 * sample covariance (divisor N - 1). W comes from the eigendecomposition Sigma = V diag(lambda) V^T
 * as V diag(1 / sqrt(lambda + eps)) V^T, so it is symmetric and whitened samples have (nearly)
 * identity covariance. eps is a small regularizer relative to the mean variance: it bounds the gain
 * of directions that barely vary (dead units).
 */
public final class Whitening {
  /** Default eps, as a fraction of the mean variance trace(Sigma) / U. */
  public static final double DEFAULT_REGULARIZER = 1e-5;

  private final double[] mean;
  private final double[][] matrix;

  private Whitening(double[] mean, double[][] matrix) {
    this.mean = mean;
    this.matrix = matrix;
  }

  /** From a sample matrix [N][U] (N >= 2 samples of U units) with the default regularizer. */
  public static Whitening estimate(float[][] samples) {
    return estimate(samples, DEFAULT_REGULARIZER);
  }

  /**
   * From a sample matrix [N][U]; eps = relativeRegularizer * trace(Sigma) / U is added to the
   * diagonal.
   */
  public static Whitening estimate(float[][] samples, double relativeRegularizer) {
    if (samples.length < 2)
      throw new ModelException("whitening needs at least 2 samples, got " + samples.length);
    int units = samples[0].length;
    if (units == 0) throw new ModelException("whitening: samples have no units");
    double[] mean = new double[units];
    for (int s = 0; s < samples.length; s++) {
      if (samples[s].length != units) {
        throw new ModelException(
            "whitening: sample "
                + s
                + " has "
                + samples[s].length
                + " units, sample 0 has "
                + units);
      }
      for (int u = 0; u < units; u++) {
        if (!Float.isFinite(samples[s][u])) {
          throw new ModelException(
              "whitening: sample " + s + ", unit " + u + " is " + samples[s][u]);
        }
        mean[u] += samples[s][u];
      }
    }
    for (int u = 0; u < units; u++) mean[u] /= samples.length;

    double[][] cov = new double[units][units];
    double[] centered = new double[units];
    for (float[] sample : samples) {
      for (int u = 0; u < units; u++) centered[u] = sample[u] - mean[u];
      for (int i = 0; i < units; i++) {
        for (int j = i; j < units; j++) cov[i][j] += centered[i] * centered[j];
      }
    }
    double trace = 0;
    for (int i = 0; i < units; i++) {
      for (int j = i; j < units; j++) {
        cov[i][j] /= samples.length - 1;
        cov[j][i] = cov[i][j];
      }
      trace += cov[i][i];
    }
    if (trace <= 0)
      throw new ModelException("whitening: the samples do not vary (zero covariance)");
    double eps = relativeRegularizer * trace / units;

    SymmetricEigen eig = SymmetricEigen.of(cov);
    double[] lambda = eig.values();
    double[][] v = eig.vectors();
    double[][] w = new double[units][units];
    for (int k = 0; k < units; k++) {
      double gain = 1 / Math.sqrt(Math.max(lambda[k], 0) + eps);
      for (int i = 0; i < units; i++) {
        double vik = v[i][k] * gain;
        for (int j = 0; j < units; j++) w[i][j] += vik * v[j][k];
      }
    }
    return new Whitening(mean, w);
  }

  /**
   * From a batch of activations [N, C, H, W] (or [N, F], or any [N, C, ...]): the C-vector at every
   * sample and position is one sample, so a conv layer gives N * H * W samples of C units.
   */
  public static Whitening fromActivations(float[] data, Shape batchShape) {
    if (batchShape.rank() < 2) {
      throw new ModelException(
          "whitening: activations need a [N, C, ...] shape, got " + batchShape);
    }
    if (data.length != batchShape.size()) {
      throw new ModelException("whitening: " + data.length + " values for shape " + batchShape);
    }
    int n = batchShape.dim(0);
    int units = batchShape.dim(1);
    int positions = batchShape.size(2, batchShape.rank());
    float[][] samples = new float[n * positions][units];
    for (int b = 0; b < n; b++) {
      for (int u = 0; u < units; u++) {
        for (int p = 0; p < positions; p++)
          samples[b * positions + p][u] = data[(b * units + u) * positions + p];
      }
    }
    return estimate(samples);
  }

  public int units() {
    return mean.length;
  }

  public double[] mean() {
    return mean.clone();
  }

  /** W [U][U], symmetric. */
  public double[][] matrix() {
    double[][] copy = new double[matrix.length][];
    for (int i = 0; i < matrix.length; i++) copy[i] = matrix[i].clone();
    return copy;
  }

  /** z = W (a - mu). */
  public void whiten(double[] a, double[] z) {
    int units = units();
    for (int i = 0; i < units; i++) {
      double s = 0;
      for (int j = 0; j < units; j++) s += matrix[i][j] * (a[j] - mean[j]);
      z[i] = s;
    }
  }

  /** ga = W^T gz: the chain rule back through {@link #whiten}. */
  public void transposeTimes(double[] gz, double[] ga) {
    int units = units();
    for (int j = 0; j < units; j++) {
      double s = 0;
      for (int i = 0; i < units; i++) s += matrix[i][j] * gz[i];
      ga[j] = s;
    }
  }
}
