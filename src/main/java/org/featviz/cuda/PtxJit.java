package org.featviz.cuda;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import jcuda.Pointer;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import jcuda.driver.JITOptions;

/**
 * Loads a {@link PtxModule} through the driver's JIT compiler ({@code cuModuleLoadDataEx} with
 * {@code CU_JIT_ERROR_LOG_BUFFER} and {@code CU_JIT_INFO_LOG_BUFFER} and their sizes), so that a
 * module the driver refuses fails with the JIT's own words ("ptxas fatal: ... line 812 ...")
 * instead of a bare CUDA_ERROR_INVALID_PTX. JCuda's {@link JITOptions} hands the byte arrays to the
 * driver and copies the logs back.
 */
final class PtxJit {
  /** Bytes of each log buffer; the JIT truncates a longer log, which is said in the message. */
  static final int LOG_BYTES = 32 * 1024;

  private PtxJit() {}

  /** The loaded module; throws a CudaException naming the module, the status and the JIT's logs. */
  static CUmodule load(PtxModule module) {
    byte[] errorLog = new byte[LOG_BYTES];
    byte[] infoLog = new byte[LOG_BYTES];
    JITOptions options = new JITOptions();
    options.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, errorLog);
    options.putInt(CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, LOG_BYTES);
    options.putBytes(CUjit_option.CU_JIT_INFO_LOG_BUFFER, infoLog);
    options.putInt(CUjit_option.CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES, LOG_BYTES);
    CUmodule loaded = new CUmodule();
    int status =
        JCudaDriver.cuModuleLoadDataJIT(loaded, Pointer.to(terminated(module.text())), options);
    if (status != CUresult.CUDA_SUCCESS) {
      // JCuda copies the driver's buffers back into the arrays that JITOptions holds.
      String error = logText(bytesOr(options, CUjit_option.CU_JIT_ERROR_LOG_BUFFER, errorLog));
      String info = logText(bytesOr(options, CUjit_option.CU_JIT_INFO_LOG_BUFFER, infoLog));
      throw new CudaException(failureMessage(module.name(), status, error, info), status);
    }
    return loaded;
  }

  private static byte[] bytesOr(JITOptions options, int key, byte[] fallback) {
    byte[] b = options.getBytes(key);
    return b != null ? b : fallback;
  }

  /** The PTX text as the driver wants it: UTF-8 bytes ending in one NUL. */
  static byte[] terminated(String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    return Arrays.copyOf(utf8, utf8.length + 1);
  }

  /**
   * A log buffer as text: the bytes before the first NUL, trailing whitespace removed; "" for an
   * empty log.
   */
  static String logText(byte[] buffer) {
    int end = 0;
    while (end < buffer.length && buffer[end] != 0) end++;
    String text = new String(buffer, 0, end, StandardCharsets.UTF_8).stripTrailing();
    return end == buffer.length ? text + "\n[log truncated at " + buffer.length + " bytes]" : text;
  }

  /**
   * "cuModuleLoadDataEx(ptx/NAME.ptx) failed: CUDA_ERROR_INVALID_PTX (218); JIT error log:\n ...",
   * with the info log where the JIT wrote one, and a note where it wrote neither.
   */
  static String failureMessage(String module, int status, String errorLog, String infoLog) {
    StringBuilder m =
        new StringBuilder("cuModuleLoadDataEx(ptx/")
            .append(module)
            .append(".ptx) failed: ")
            .append(CUresult.stringFor(status))
            .append(" (")
            .append(status)
            .append(")");
    if (!errorLog.isEmpty()) m.append("; JIT error log:\n").append(indent(errorLog));
    if (!infoLog.isEmpty())
      m.append(errorLog.isEmpty() ? "; " : "\n").append("JIT info log:\n").append(indent(infoLog));
    if (errorLog.isEmpty() && infoLog.isEmpty()) m.append("; the JIT wrote no log");
    return m.toString();
  }

  private static String indent(String log) {
    return log.lines().map(line -> "  " + line).reduce((a, b) -> a + "\n" + b).orElse("");
  }
}
