package org.featviz.cuda.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Status names for both numberings, checked against the values in cuDNN 8's and cuDNN 9's headers. */
class CudnnStatusTest {
  @Test
  void namesCudnn9Codes() {
    assertEquals("CUDNN_STATUS_NOT_INITIALIZED (1001, cuDNN 9)", CudnnStatus.describe(1001));
    assertEquals("CUDNN_STATUS_BAD_PARAM (2000, cuDNN 9)", CudnnStatus.describe(2000));
    assertEquals("CUDNN_STATUS_INVALID_VALUE (2001, cuDNN 9)", CudnnStatus.describe(2001));
    assertEquals("CUDNN_STATUS_BAD_PARAM_NULL_POINTER (2002, cuDNN 9)", CudnnStatus.describe(2002));
    assertEquals("CUDNN_STATUS_BAD_PARAM_CUDA_GRAPH_MISMATCH (2011, cuDNN 9)", CudnnStatus.describe(2011));
    assertEquals("CUDNN_STATUS_NOT_SUPPORTED (3000, cuDNN 9)", CudnnStatus.describe(CudnnStatus.NOT_SUPPORTED_9));
    assertEquals("CUDNN_STATUS_INTERNAL_ERROR (4000, cuDNN 9)", CudnnStatus.describe(4000));
    assertEquals("CUDNN_STATUS_ALLOC_FAILED (4003, cuDNN 9)", CudnnStatus.describe(4003));
    assertEquals("CUDNN_STATUS_EXECUTION_FAILED (5000, cuDNN 9)", CudnnStatus.describe(5000));
  }

  @Test
  void namesCudnn8CodesAndSuccess() {
    assertEquals("CUDNN_STATUS_SUCCESS (0)", CudnnStatus.describe(0));
    assertEquals("CUDNN_STATUS_NOT_INITIALIZED (1, cuDNN 8)", CudnnStatus.describe(1));
    assertEquals("CUDNN_STATUS_BAD_PARAM (3, cuDNN 8)", CudnnStatus.describe(3));
    assertEquals("CUDNN_STATUS_NOT_SUPPORTED (9, cuDNN 8)", CudnnStatus.describe(9));
    assertEquals("CUDNN_STATUS_VERSION_MISMATCH (14, cuDNN 8)", CudnnStatus.describe(14));
  }

  @Test
  void unknownSubCodesFallBackToTheirCategory() {
    assertEquals("CUDNN_STATUS_BAD_PARAM, sub-code 2099 (cuDNN 9)", CudnnStatus.describe(2099));
    assertEquals("CUDNN_STATUS_EXECUTION_FAILED, sub-code 5042 (cuDNN 9)", CudnnStatus.describe(5042));
    assertEquals("unknown cuDNN status 15", CudnnStatus.describe(15));
    assertEquals("unknown cuDNN status 7000", CudnnStatus.describe(7000));
    assertEquals("unknown cuDNN status -1", CudnnStatus.describe(-1));
  }
}
