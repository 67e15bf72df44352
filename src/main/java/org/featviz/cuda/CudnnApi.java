package org.featviz.cuda;

import jcuda.jcudnn.cudnnActivationDescriptor;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnLRNDescriptor;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import jcuda.jcudnn.cudnnTensorDescriptor;

/**
 * The cuDNN calls featviz makes, one method per C function (named without the {@code cudnn}
 * prefix), with cuDNN's argument order, JCudnn's descriptor classes and constants, and cuDNN's
 * status as the result (0 is success). Device memory is a {@link DevicePtr} (a null workspace is
 * "no workspace"); the host scalars alpha and beta are plain floats. {@link JCudnnApi} forwards to
 * JCudnn; the tests' binding fake computes the documented semantics on host copies, so {@link
 * Cudnn} and {@link CudnnConvolutions} (descriptors, strides, algorithm and math-type choice,
 * workspaces, alpha/beta) run in CI without a GPU.
 */
interface CudnnApi {
  /**
   * Makes the device's context current on the calling thread (not a cuDNN call: cuDNN runs in that
   * context).
   */
  void bind();

  int create(cudnnHandle handle);

  int destroy(cudnnHandle handle);

  /**
   * cudnnSetStream with the device's stream, so library calls keep the order of the device's
   * kernels.
   */
  int setStream(cudnnHandle handle);

  // ---- Tensors, filters, convolutions
  // ------------------------------------------------------------------------------

  int createTensorDescriptor(cudnnTensorDescriptor desc);

  int setTensorNdDescriptor(
      cudnnTensorDescriptor desc, int dataType, int nbDims, int[] dims, int[] strides);

  int destroyTensorDescriptor(cudnnTensorDescriptor desc);

  int createFilterDescriptor(cudnnFilterDescriptor desc);

  int setFilterNdDescriptor(
      cudnnFilterDescriptor desc, int dataType, int format, int nbDims, int[] dims);

  int destroyFilterDescriptor(cudnnFilterDescriptor desc);

  int createConvolutionDescriptor(cudnnConvolutionDescriptor desc);

  int setConvolutionNdDescriptor(
      cudnnConvolutionDescriptor desc,
      int arrayLength,
      int[] pads,
      int[] strides,
      int[] dilations,
      int mode,
      int computeType);

  int setConvolutionGroupCount(cudnnConvolutionDescriptor desc, int groups);

  int setConvolutionMathType(cudnnConvolutionDescriptor desc, int mathType);

  int destroyConvolutionDescriptor(cudnnConvolutionDescriptor desc);

  int getConvolutionForwardAlgorithmMaxCount(cudnnHandle handle, int[] count);

  int findConvolutionForwardAlgorithm(
      cudnnHandle handle,
      cudnnTensorDescriptor xDesc,
      cudnnFilterDescriptor wDesc,
      cudnnConvolutionDescriptor convDesc,
      cudnnTensorDescriptor yDesc,
      int requested,
      int[] returned,
      cudnnConvolutionFwdAlgoPerf[] results);

  int getConvolutionForwardWorkspaceSize(
      cudnnHandle handle,
      cudnnTensorDescriptor xDesc,
      cudnnFilterDescriptor wDesc,
      cudnnConvolutionDescriptor convDesc,
      cudnnTensorDescriptor yDesc,
      int algo,
      long[] bytes);

  int convolutionForward(
      cudnnHandle handle,
      float alpha,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      cudnnFilterDescriptor wDesc,
      DevicePtr w,
      cudnnConvolutionDescriptor convDesc,
      int algo,
      DevicePtr workspace,
      long workspaceBytes,
      float beta,
      cudnnTensorDescriptor yDesc,
      DevicePtr y);

  int getConvolutionBackwardDataAlgorithmMaxCount(cudnnHandle handle, int[] count);

  int findConvolutionBackwardDataAlgorithm(
      cudnnHandle handle,
      cudnnFilterDescriptor wDesc,
      cudnnTensorDescriptor dyDesc,
      cudnnConvolutionDescriptor convDesc,
      cudnnTensorDescriptor dxDesc,
      int requested,
      int[] returned,
      cudnnConvolutionBwdDataAlgoPerf[] results);

  int getConvolutionBackwardDataWorkspaceSize(
      cudnnHandle handle,
      cudnnFilterDescriptor wDesc,
      cudnnTensorDescriptor dyDesc,
      cudnnConvolutionDescriptor convDesc,
      cudnnTensorDescriptor dxDesc,
      int algo,
      long[] bytes);

  int convolutionBackwardData(
      cudnnHandle handle,
      float alpha,
      cudnnFilterDescriptor wDesc,
      DevicePtr w,
      cudnnTensorDescriptor dyDesc,
      DevicePtr dy,
      cudnnConvolutionDescriptor convDesc,
      int algo,
      DevicePtr workspace,
      long workspaceBytes,
      float beta,
      cudnnTensorDescriptor dxDesc,
      DevicePtr dx);

  /** y = act(alpha1 conv(x, w) + alpha2 z + bias). */
  int convolutionBiasActivationForward(
      cudnnHandle handle,
      float alpha1,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      cudnnFilterDescriptor wDesc,
      DevicePtr w,
      cudnnConvolutionDescriptor convDesc,
      int algo,
      DevicePtr workspace,
      long workspaceBytes,
      float alpha2,
      cudnnTensorDescriptor zDesc,
      DevicePtr z,
      cudnnTensorDescriptor biasDesc,
      DevicePtr bias,
      cudnnActivationDescriptor activationDesc,
      cudnnTensorDescriptor yDesc,
      DevicePtr y);

  /** C = alpha A + beta C, A broadcast along its axes of size 1. */
  int addTensor(
      cudnnHandle handle,
      float alpha,
      cudnnTensorDescriptor aDesc,
      DevicePtr a,
      float beta,
      cudnnTensorDescriptor cDesc,
      DevicePtr c);

  // ---- Pooling
  // ----------------------------------------------------------------------------------------------------

  int createPoolingDescriptor(cudnnPoolingDescriptor desc);

  int setPoolingNdDescriptor(
      cudnnPoolingDescriptor desc,
      int mode,
      int nanPropagation,
      int nbDims,
      int[] window,
      int[] pads,
      int[] strides);

  int destroyPoolingDescriptor(cudnnPoolingDescriptor desc);

  int poolingForward(
      cudnnHandle handle,
      cudnnPoolingDescriptor poolDesc,
      float alpha,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor yDesc,
      DevicePtr y);

  int poolingBackward(
      cudnnHandle handle,
      cudnnPoolingDescriptor poolDesc,
      float alpha,
      cudnnTensorDescriptor yDesc,
      DevicePtr y,
      cudnnTensorDescriptor dyDesc,
      DevicePtr dy,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor dxDesc,
      DevicePtr dx);

  // ---- Activations
  // ------------------------------------------------------------------------------------------------

  int createActivationDescriptor(cudnnActivationDescriptor desc);

  int setActivationDescriptor(
      cudnnActivationDescriptor desc, int mode, int nanPropagation, double coef);

  int destroyActivationDescriptor(cudnnActivationDescriptor desc);

  int activationForward(
      cudnnHandle handle,
      cudnnActivationDescriptor activationDesc,
      float alpha,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor yDesc,
      DevicePtr y);

  int activationBackward(
      cudnnHandle handle,
      cudnnActivationDescriptor activationDesc,
      float alpha,
      cudnnTensorDescriptor yDesc,
      DevicePtr y,
      cudnnTensorDescriptor dyDesc,
      DevicePtr dy,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor dxDesc,
      DevicePtr dx);

  // ---- LRN and softmax
  // --------------------------------------------------------------------------------------------

  int createLRNDescriptor(cudnnLRNDescriptor desc);

  int setLRNDescriptor(cudnnLRNDescriptor desc, int n, double alpha, double beta, double k);

  int destroyLRNDescriptor(cudnnLRNDescriptor desc);

  int lrnCrossChannelForward(
      cudnnHandle handle,
      cudnnLRNDescriptor lrnDesc,
      int mode,
      float alpha,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor yDesc,
      DevicePtr y);

  int lrnCrossChannelBackward(
      cudnnHandle handle,
      cudnnLRNDescriptor lrnDesc,
      int mode,
      float alpha,
      cudnnTensorDescriptor yDesc,
      DevicePtr y,
      cudnnTensorDescriptor dyDesc,
      DevicePtr dy,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor dxDesc,
      DevicePtr dx);

  int softmaxForward(
      cudnnHandle handle,
      int algo,
      int mode,
      float alpha,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor yDesc,
      DevicePtr y);

  int softmaxBackward(
      cudnnHandle handle,
      int algo,
      int mode,
      float alpha,
      cudnnTensorDescriptor yDesc,
      DevicePtr y,
      cudnnTensorDescriptor dyDesc,
      DevicePtr dy,
      float beta,
      cudnnTensorDescriptor dxDesc,
      DevicePtr dx);
}
