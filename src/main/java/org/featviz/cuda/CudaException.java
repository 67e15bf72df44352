package org.featviz.cuda;

import jcuda.driver.CUresult;
import org.featviz.device.DeviceException;

/**
 * A CUDA driver call failed with {@link #status()}. {@link #sticky()} tells the errors after which
 * the context is unusable (an illegal address, a failed launch, a device-side assert...): every
 * later call in that context returns the same error, and only {@code cuDevicePrimaryCtxReset} makes
 * the device usable again in this process.
 */
public final class CudaException extends DeviceException {
  private final int status;

  public CudaException(String message, int status) {
    super(message);
    this.status = status;
  }

  /** The CUresult code. */
  public int status() {
    return status;
  }

  public boolean sticky() {
    return isSticky(status);
  }

  /**
   * The CUresult codes that the CUDA documentation calls persistent: the context must be destroyed.
   */
  public static boolean isSticky(int status) {
    return switch (status) {
      case CUresult.CUDA_ERROR_ILLEGAL_ADDRESS,
          CUresult.CUDA_ERROR_LAUNCH_TIMEOUT,
          CUresult.CUDA_ERROR_ASSERT,
          CUresult.CUDA_ERROR_HARDWARE_STACK_ERROR,
          CUresult.CUDA_ERROR_ILLEGAL_INSTRUCTION,
          CUresult.CUDA_ERROR_MISALIGNED_ADDRESS,
          CUresult.CUDA_ERROR_INVALID_ADDRESS_SPACE,
          CUresult.CUDA_ERROR_INVALID_PC,
          CUresult.CUDA_ERROR_LAUNCH_FAILED,
          CUresult.CUDA_ERROR_ECC_UNCORRECTABLE ->
          true;
      default -> false;
    };
  }
}
