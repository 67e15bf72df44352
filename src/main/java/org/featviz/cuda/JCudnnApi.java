package org.featviz.cuda;

import jcuda.jcudnn.JCudnn;
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
 * {@link CudnnApi} on a GPU: each call forwards to JCudnn with the device's pointers and stream.
 */
final class JCudnnApi extends JCudaBinding implements CudnnApi {
  JCudnnApi(CudaDevice device) {
    super(device);
  }

  @Override
  public int create(cudnnHandle handle) {
    return JCudnn.cudnnCreate(handle);
  }

  @Override
  public int destroy(cudnnHandle handle) {
    return JCudnn.cudnnDestroy(handle);
  }

  @Override
  public int setStream(cudnnHandle handle) {
    return JCudnn.cudnnSetStream(handle, device.runtimeStream());
  }

  @Override
  public int createTensorDescriptor(cudnnTensorDescriptor desc) {
    return JCudnn.cudnnCreateTensorDescriptor(desc);
  }

  @Override
  public int setTensorNdDescriptor(
      cudnnTensorDescriptor desc, int dataType, int nbDims, int[] dims, int[] strides) {
    return JCudnn.cudnnSetTensorNdDescriptor(desc, dataType, nbDims, dims, strides);
  }

  @Override
  public int destroyTensorDescriptor(cudnnTensorDescriptor desc) {
    return JCudnn.cudnnDestroyTensorDescriptor(desc);
  }

  @Override
  public int createFilterDescriptor(cudnnFilterDescriptor desc) {
    return JCudnn.cudnnCreateFilterDescriptor(desc);
  }

  @Override
  public int setFilterNdDescriptor(
      cudnnFilterDescriptor desc, int dataType, int format, int nbDims, int[] dims) {
    return JCudnn.cudnnSetFilterNdDescriptor(desc, dataType, format, nbDims, dims);
  }

  @Override
  public int destroyFilterDescriptor(cudnnFilterDescriptor desc) {
    return JCudnn.cudnnDestroyFilterDescriptor(desc);
  }

  @Override
  public int createConvolutionDescriptor(cudnnConvolutionDescriptor desc) {
    return JCudnn.cudnnCreateConvolutionDescriptor(desc);
  }

  @Override
  public int setConvolutionNdDescriptor(
      cudnnConvolutionDescriptor desc,
      int arrayLength,
      int[] pads,
      int[] strides,
      int[] dilations,
      int mode,
      int computeType) {
    return JCudnn.cudnnSetConvolutionNdDescriptor(
        desc, arrayLength, pads, strides, dilations, mode, computeType);
  }

  @Override
  public int setConvolutionGroupCount(cudnnConvolutionDescriptor desc, int groups) {
    return JCudnn.cudnnSetConvolutionGroupCount(desc, groups);
  }

  @Override
  public int setConvolutionMathType(cudnnConvolutionDescriptor desc, int mathType) {
    return JCudnn.cudnnSetConvolutionMathType(desc, mathType);
  }

  @Override
  public int destroyConvolutionDescriptor(cudnnConvolutionDescriptor desc) {
    return JCudnn.cudnnDestroyConvolutionDescriptor(desc);
  }

  @Override
  public int getConvolutionForwardAlgorithmMaxCount(cudnnHandle handle, int[] count) {
    return JCudnn.cudnnGetConvolutionForwardAlgorithmMaxCount(handle, count);
  }

  @Override
  public int findConvolutionForwardAlgorithm(
      cudnnHandle handle,
      cudnnTensorDescriptor xDesc,
      cudnnFilterDescriptor wDesc,
      cudnnConvolutionDescriptor convDesc,
      cudnnTensorDescriptor yDesc,
      int requested,
      int[] returned,
      cudnnConvolutionFwdAlgoPerf[] results) {
    return JCudnn.cudnnFindConvolutionForwardAlgorithm(
        handle, xDesc, wDesc, convDesc, yDesc, requested, returned, results);
  }

  @Override
  public int getConvolutionForwardWorkspaceSize(
      cudnnHandle handle,
      cudnnTensorDescriptor xDesc,
      cudnnFilterDescriptor wDesc,
      cudnnConvolutionDescriptor convDesc,
      cudnnTensorDescriptor yDesc,
      int algo,
      long[] bytes) {
    return JCudnn.cudnnGetConvolutionForwardWorkspaceSize(
        handle, xDesc, wDesc, convDesc, yDesc, algo, bytes);
  }

  @Override
  public int convolutionForward(
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
      DevicePtr y) {
    return JCudnn.cudnnConvolutionForward(
        handle,
        host(alpha),
        xDesc,
        ptr(x),
        wDesc,
        ptr(w),
        convDesc,
        algo,
        ptr(workspace),
        workspaceBytes,
        host(beta),
        yDesc,
        ptr(y));
  }

  @Override
  public int getConvolutionBackwardDataAlgorithmMaxCount(cudnnHandle handle, int[] count) {
    return JCudnn.cudnnGetConvolutionBackwardDataAlgorithmMaxCount(handle, count);
  }

  @Override
  public int findConvolutionBackwardDataAlgorithm(
      cudnnHandle handle,
      cudnnFilterDescriptor wDesc,
      cudnnTensorDescriptor dyDesc,
      cudnnConvolutionDescriptor convDesc,
      cudnnTensorDescriptor dxDesc,
      int requested,
      int[] returned,
      cudnnConvolutionBwdDataAlgoPerf[] results) {
    return JCudnn.cudnnFindConvolutionBackwardDataAlgorithm(
        handle, wDesc, dyDesc, convDesc, dxDesc, requested, returned, results);
  }

  @Override
  public int getConvolutionBackwardDataWorkspaceSize(
      cudnnHandle handle,
      cudnnFilterDescriptor wDesc,
      cudnnTensorDescriptor dyDesc,
      cudnnConvolutionDescriptor convDesc,
      cudnnTensorDescriptor dxDesc,
      int algo,
      long[] bytes) {
    return JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(
        handle, wDesc, dyDesc, convDesc, dxDesc, algo, bytes);
  }

  @Override
  public int convolutionBackwardData(
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
      DevicePtr dx) {
    return JCudnn.cudnnConvolutionBackwardData(
        handle,
        host(alpha),
        wDesc,
        ptr(w),
        dyDesc,
        ptr(dy),
        convDesc,
        algo,
        ptr(workspace),
        workspaceBytes,
        host(beta),
        dxDesc,
        ptr(dx));
  }

  @Override
  public int convolutionBiasActivationForward(
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
      DevicePtr y) {
    return JCudnn.cudnnConvolutionBiasActivationForward(
        handle,
        host(alpha1),
        xDesc,
        ptr(x),
        wDesc,
        ptr(w),
        convDesc,
        algo,
        ptr(workspace),
        workspaceBytes,
        host(alpha2),
        zDesc,
        ptr(z),
        biasDesc,
        ptr(bias),
        activationDesc,
        yDesc,
        ptr(y));
  }

  @Override
  public int addTensor(
      cudnnHandle handle,
      float alpha,
      cudnnTensorDescriptor aDesc,
      DevicePtr a,
      float beta,
      cudnnTensorDescriptor cDesc,
      DevicePtr c) {
    return JCudnn.cudnnAddTensor(handle, host(alpha), aDesc, ptr(a), host(beta), cDesc, ptr(c));
  }

  @Override
  public int createPoolingDescriptor(cudnnPoolingDescriptor desc) {
    return JCudnn.cudnnCreatePoolingDescriptor(desc);
  }

  @Override
  public int setPoolingNdDescriptor(
      cudnnPoolingDescriptor desc,
      int mode,
      int nanPropagation,
      int nbDims,
      int[] window,
      int[] pads,
      int[] strides) {
    return JCudnn.cudnnSetPoolingNdDescriptor(
        desc, mode, nanPropagation, nbDims, window, pads, strides);
  }

  @Override
  public int destroyPoolingDescriptor(cudnnPoolingDescriptor desc) {
    return JCudnn.cudnnDestroyPoolingDescriptor(desc);
  }

  @Override
  public int poolingForward(
      cudnnHandle handle,
      cudnnPoolingDescriptor poolDesc,
      float alpha,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor yDesc,
      DevicePtr y) {
    return JCudnn.cudnnPoolingForward(
        handle, poolDesc, host(alpha), xDesc, ptr(x), host(beta), yDesc, ptr(y));
  }

  @Override
  public int poolingBackward(
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
      DevicePtr dx) {
    return JCudnn.cudnnPoolingBackward(
        handle,
        poolDesc,
        host(alpha),
        yDesc,
        ptr(y),
        dyDesc,
        ptr(dy),
        xDesc,
        ptr(x),
        host(beta),
        dxDesc,
        ptr(dx));
  }

  @Override
  public int createActivationDescriptor(cudnnActivationDescriptor desc) {
    return JCudnn.cudnnCreateActivationDescriptor(desc);
  }

  @Override
  public int setActivationDescriptor(
      cudnnActivationDescriptor desc, int mode, int nanPropagation, double coef) {
    return JCudnn.cudnnSetActivationDescriptor(desc, mode, nanPropagation, coef);
  }

  @Override
  public int destroyActivationDescriptor(cudnnActivationDescriptor desc) {
    return JCudnn.cudnnDestroyActivationDescriptor(desc);
  }

  @Override
  public int activationForward(
      cudnnHandle handle,
      cudnnActivationDescriptor activationDesc,
      float alpha,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor yDesc,
      DevicePtr y) {
    return JCudnn.cudnnActivationForward(
        handle, activationDesc, host(alpha), xDesc, ptr(x), host(beta), yDesc, ptr(y));
  }

  @Override
  public int activationBackward(
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
      DevicePtr dx) {
    return JCudnn.cudnnActivationBackward(
        handle,
        activationDesc,
        host(alpha),
        yDesc,
        ptr(y),
        dyDesc,
        ptr(dy),
        xDesc,
        ptr(x),
        host(beta),
        dxDesc,
        ptr(dx));
  }

  @Override
  public int createLRNDescriptor(cudnnLRNDescriptor desc) {
    return JCudnn.cudnnCreateLRNDescriptor(desc);
  }

  @Override
  public int setLRNDescriptor(cudnnLRNDescriptor desc, int n, double alpha, double beta, double k) {
    return JCudnn.cudnnSetLRNDescriptor(desc, n, alpha, beta, k);
  }

  @Override
  public int destroyLRNDescriptor(cudnnLRNDescriptor desc) {
    return JCudnn.cudnnDestroyLRNDescriptor(desc);
  }

  @Override
  public int lrnCrossChannelForward(
      cudnnHandle handle,
      cudnnLRNDescriptor lrnDesc,
      int mode,
      float alpha,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor yDesc,
      DevicePtr y) {
    return JCudnn.cudnnLRNCrossChannelForward(
        handle, lrnDesc, mode, host(alpha), xDesc, ptr(x), host(beta), yDesc, ptr(y));
  }

  @Override
  public int lrnCrossChannelBackward(
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
      DevicePtr dx) {
    return JCudnn.cudnnLRNCrossChannelBackward(
        handle,
        lrnDesc,
        mode,
        host(alpha),
        yDesc,
        ptr(y),
        dyDesc,
        ptr(dy),
        xDesc,
        ptr(x),
        host(beta),
        dxDesc,
        ptr(dx));
  }

  @Override
  public int softmaxForward(
      cudnnHandle handle,
      int algo,
      int mode,
      float alpha,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor yDesc,
      DevicePtr y) {
    return JCudnn.cudnnSoftmaxForward(
        handle, algo, mode, host(alpha), xDesc, ptr(x), host(beta), yDesc, ptr(y));
  }

  @Override
  public int softmaxBackward(
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
      DevicePtr dx) {
    return JCudnn.cudnnSoftmaxBackward(
        handle,
        algo,
        mode,
        host(alpha),
        yDesc,
        ptr(y),
        dyDesc,
        ptr(dy),
        host(beta),
        dxDesc,
        ptr(dx));
  }
}
