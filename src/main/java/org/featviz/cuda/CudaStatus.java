package org.featviz.cuda;

import jcuda.driver.CUresult;
import org.featviz.device.DeviceException;

/** Turns CUDA driver status codes into exceptions that name the failed call. */
final class CudaStatus {
  private CudaStatus() {}

  /** Throws DeviceException("call failed: CUDA_ERROR_...") unless status is CUDA_SUCCESS. */
  static void check(int status, String call) {
    if (status != CUresult.CUDA_SUCCESS) {
      throw new DeviceException(call + " failed: " + CUresult.stringFor(status) + " (" + status + ")");
    }
  }
}
