package org.featviz.cuda;

import jcuda.driver.CUresult;
import jcuda.jcublas.cublasStatus;
import org.featviz.cuda.compat.CudnnStatus;
import org.featviz.device.DeviceException;

/**
 * Turns CUDA driver, cuBLAS and cuDNN status codes into exceptions that name the failed call. cuDNN
 * codes are named by {@link CudnnStatus}, which knows both cuDNN 8's numbering (what JCudnn 11.7
 * was built for) and cuDNN 9's (what runs behind the forwarding library on CUDA 13 hosts).
 */
final class CudaStatus {
  private CudaStatus() {}

  /** Throws CudaException("call failed: CUDA_ERROR_...") unless status is CUDA_SUCCESS. */
  static void check(int status, String call) {
    if (status != CUresult.CUDA_SUCCESS) throw new CudaException(describe(status, call), status);
  }

  /**
   * "call failed: CUDA_ERROR_... (code)", with a note for the errors that leave the context
   * unusable.
   */
  static String describe(int status, String call) {
    return call
        + " failed: "
        + CUresult.stringFor(status)
        + " ("
        + status
        + ")"
        + (CudaException.isSticky(status)
            ? "; the context is unusable from here on (a sticky error)"
            : "");
  }

  /**
   * Throws DeviceException("call failed: CUBLAS_STATUS_...") unless status is
   * CUBLAS_STATUS_SUCCESS.
   */
  static void checkCublas(int status, String call) {
    if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
      throw new DeviceException(
          call + " failed: " + cublasStatus.stringFor(status) + " (" + status + ")");
    }
  }

  /**
   * Throws DeviceException("call failed: CUDNN_STATUS_... (code, cuDNN 8|9)") unless status is
   * success (0).
   */
  static void checkCudnn(int status, String call) {
    if (status != 0) throw new DeviceException(call + " failed: " + CudnnStatus.describe(status));
  }
}
