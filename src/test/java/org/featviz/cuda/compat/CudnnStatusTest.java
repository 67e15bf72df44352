package org.featviz.cuda.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Status names for both numberings, checked against the values in cuDNN 8's and cuDNN 9's headers.
 */
class CudnnStatusTest {
  /** describe(code) is "NAME (code, cuDNN n)" for each "code NAME" entry. */
  private static void assertNamed(String version, String... entries) {
    for (String entry : entries) {
      String[] codeAndName = entry.split(" ");
      int code = Integer.parseInt(codeAndName[0]);
      assertEquals(
          codeAndName[1] + " (" + code + ", " + version + ")", CudnnStatus.describe(code), entry);
    }
  }

  @Test
  void namesCudnn9Codes() {
    assertNamed(
        "cuDNN 9",
        "1001 CUDNN_STATUS_NOT_INITIALIZED",
        "2000 CUDNN_STATUS_BAD_PARAM",
        "2001 CUDNN_STATUS_INVALID_VALUE",
        "2002 CUDNN_STATUS_BAD_PARAM_NULL_POINTER",
        "2011 CUDNN_STATUS_BAD_PARAM_CUDA_GRAPH_MISMATCH",
        "3000 CUDNN_STATUS_NOT_SUPPORTED",
        "4000 CUDNN_STATUS_INTERNAL_ERROR",
        "4003 CUDNN_STATUS_ALLOC_FAILED",
        "5000 CUDNN_STATUS_EXECUTION_FAILED");
    assertEquals(3000, CudnnStatus.NOT_SUPPORTED_9);
  }

  @Test
  void namesCudnn8CodesAndSuccess() {
    assertEquals("CUDNN_STATUS_SUCCESS (0)", CudnnStatus.describe(0));
    assertNamed(
        "cuDNN 8",
        "1 CUDNN_STATUS_NOT_INITIALIZED",
        "3 CUDNN_STATUS_BAD_PARAM",
        "9 CUDNN_STATUS_NOT_SUPPORTED",
        "14 CUDNN_STATUS_VERSION_MISMATCH");
  }

  @Test
  void unknownSubCodesFallBackToTheirCategory() {
    assertEquals("CUDNN_STATUS_BAD_PARAM, sub-code 2099 (cuDNN 9)", CudnnStatus.describe(2099));
    assertEquals(
        "CUDNN_STATUS_EXECUTION_FAILED, sub-code 5042 (cuDNN 9)", CudnnStatus.describe(5042));
    assertEquals("unknown cuDNN status 15", CudnnStatus.describe(15));
    assertEquals("unknown cuDNN status 7000", CudnnStatus.describe(7000));
    assertEquals("unknown cuDNN status -1", CudnnStatus.describe(-1));
  }
}
