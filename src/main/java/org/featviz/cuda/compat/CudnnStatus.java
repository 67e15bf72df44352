package org.featviz.cuda.compat;

import java.util.Map;

/**
 * Names of cuDNN status codes for messages. JCudnn 11.7 knows cuDNN 8's codes (1..14), but behind
 * the {@code libcudnn.so.8} forwarding library runs cuDNN 9, whose errors are numbered in the
 * thousands (a category times 1000 plus a sub-code; success is 0 in both). The two ranges do not
 * overlap, so one code names one status.
 */
public final class CudnnStatus {
  /** What a forwarded function that cuDNN 9 lacks returns: cuDNN 9's CUDNN_STATUS_NOT_SUPPORTED. */
  public static final int NOT_SUPPORTED_9 = 3000;

  private static final Map<Integer, String> CUDNN_9 =
      Map.ofEntries(
          Map.entry(1001, "NOT_INITIALIZED"),
          Map.entry(1002, "SUBLIBRARY_VERSION_MISMATCH"),
          Map.entry(1003, "SERIALIZATION_VERSION_MISMATCH"),
          Map.entry(1004, "DEPRECATED"),
          Map.entry(1005, "LICENSE_ERROR"),
          Map.entry(1006, "RUNTIME_IN_PROGRESS"),
          Map.entry(1007, "RUNTIME_FP_OVERFLOW"),
          Map.entry(1008, "SUBLIBRARY_LOADING_FAILED"),
          Map.entry(2000, "BAD_PARAM"),
          Map.entry(2001, "INVALID_VALUE"),
          Map.entry(2002, "BAD_PARAM_NULL_POINTER"),
          Map.entry(2003, "BAD_PARAM_MISALIGNED_POINTER"),
          Map.entry(2004, "BAD_PARAM_NOT_FINALIZED"),
          Map.entry(2005, "BAD_PARAM_OUT_OF_BOUND"),
          Map.entry(2006, "BAD_PARAM_SIZE_INSUFFICIENT"),
          Map.entry(2007, "BAD_PARAM_STREAM_MISMATCH"),
          Map.entry(2008, "BAD_PARAM_SHAPE_MISMATCH"),
          Map.entry(2009, "BAD_PARAM_DUPLICATED_ENTRIES"),
          Map.entry(2010, "BAD_PARAM_ATTRIBUTE_TYPE"),
          Map.entry(2011, "BAD_PARAM_CUDA_GRAPH_MISMATCH"),
          Map.entry(2012, "BAD_PARAM_DESCRIPTOR_TYPE"),
          Map.entry(3000, "NOT_SUPPORTED"),
          Map.entry(3001, "NOT_SUPPORTED_GRAPH_PATTERN"),
          Map.entry(3002, "NOT_SUPPORTED_SHAPE"),
          Map.entry(3003, "NOT_SUPPORTED_DATA_TYPE"),
          Map.entry(3004, "NOT_SUPPORTED_LAYOUT"),
          Map.entry(3005, "NOT_SUPPORTED_INCOMPATIBLE_CUDA_DRIVER"),
          Map.entry(3006, "NOT_SUPPORTED_INCOMPATIBLE_CUDART"),
          Map.entry(3007, "NOT_SUPPORTED_ARCH_MISMATCH"),
          Map.entry(3008, "NOT_SUPPORTED_RUNTIME_PREREQUISITE_MISSING"),
          Map.entry(3009, "NOT_SUPPORTED_SUBLIBRARY_UNAVAILABLE"),
          Map.entry(3010, "NOT_SUPPORTED_SHARED_MEMORY_INSUFFICIENT"),
          Map.entry(3011, "NOT_SUPPORTED_PADDING"),
          Map.entry(3012, "NOT_SUPPORTED_BAD_LAUNCH_PARAM"),
          Map.entry(3013, "NOT_SUPPORTED_CUDA_GRAPH_NATIVE_API"),
          Map.entry(4000, "INTERNAL_ERROR"),
          Map.entry(4001, "INTERNAL_ERROR_COMPILATION_FAILED"),
          Map.entry(4002, "INTERNAL_ERROR_UNEXPECTED_VALUE"),
          Map.entry(4003, "ALLOC_FAILED"), // = INTERNAL_ERROR_HOST_ALLOCATION_FAILED
          Map.entry(4004, "INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED"),
          Map.entry(4005, "INTERNAL_ERROR_BAD_LAUNCH_PARAM"),
          Map.entry(4006, "INTERNAL_ERROR_TEXTURE_CREATION_FAILED"),
          Map.entry(5000, "EXECUTION_FAILED"),
          Map.entry(5001, "EXECUTION_FAILED_CUDA_DRIVER"),
          Map.entry(5002, "EXECUTION_FAILED_CUBLAS"),
          Map.entry(5003, "EXECUTION_FAILED_CUDART"),
          Map.entry(5004, "EXECUTION_FAILED_CURAND"));

  private static final String[] CUDNN_8 = {
    "SUCCESS",
    "NOT_INITIALIZED",
    "ALLOC_FAILED",
    "BAD_PARAM",
    "INTERNAL_ERROR",
    "INVALID_VALUE",
    "ARCH_MISMATCH",
    "MAPPING_ERROR",
    "EXECUTION_FAILED",
    "NOT_SUPPORTED",
    "LICENSE_ERROR",
    "RUNTIME_PREREQUISITE_MISSING",
    "RUNTIME_IN_PROGRESS",
    "RUNTIME_FP_OVERFLOW",
    "VERSION_MISMATCH"
  };

  private static final String[] CATEGORY_9 = {
    null, "NOT_INITIALIZED", "BAD_PARAM", "NOT_SUPPORTED", "INTERNAL_ERROR", "EXECUTION_FAILED"
  };

  private CudnnStatus() {}

  /**
   * A readable name: {@code "CUDNN_STATUS_BAD_PARAM (2000, cuDNN 9)"}, {@code
   * "CUDNN_STATUS_ALLOC_FAILED (2, cuDNN 8)"}, {@code "CUDNN_STATUS_SUCCESS (0)"}. A cuDNN 9
   * sub-code newer than this table is named by its category ({@code "CUDNN_STATUS_BAD_PARAM,
   * sub-code 2013 (cuDNN 9)"}); anything else is "unknown".
   */
  public static String describe(int code) {
    if (code == 0) return "CUDNN_STATUS_SUCCESS (0)";
    if (code > 0 && code < CUDNN_8.length)
      return "CUDNN_STATUS_" + CUDNN_8[code] + " (" + code + ", cuDNN 8)";
    String name = CUDNN_9.get(code);
    if (name != null) return "CUDNN_STATUS_" + name + " (" + code + ", cuDNN 9)";
    int category = code / 1000;
    if (code > 1000 && category < CATEGORY_9.length) {
      return "CUDNN_STATUS_" + CATEGORY_9[category] + ", sub-code " + code + " (cuDNN 9)";
    }
    return "unknown cuDNN status " + code;
  }
}
