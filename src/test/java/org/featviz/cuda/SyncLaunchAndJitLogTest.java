package org.featviz.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import jcuda.driver.CUresult;
import org.junit.jupiter.api.Test;

/** The switch of synchronous-launch mode, and how a JIT failure's logs are read and reported. */
class SyncLaunchAndJitLogTest {
  @Test
  void syncLaunchIsOffUnlessTheEnvironmentOrThePropertySaysSo() {
    assertFalse(SyncLaunch.enabled(Map.of(), null));
    assertTrue(SyncLaunch.enabled(Map.of("FEATVIZ_SYNC_LAUNCH", "1"), null));
    assertTrue(SyncLaunch.enabled(Map.of("FEATVIZ_SYNC_LAUNCH", " TRUE "), null));
    assertFalse(SyncLaunch.enabled(Map.of("FEATVIZ_SYNC_LAUNCH", "0"), null));
    assertTrue(SyncLaunch.enabled(Map.of(), "true"));
    assertFalse(
        SyncLaunch.enabled(Map.of("FEATVIZ_SYNC_LAUNCH", "1"), "false"), "the property wins");
  }

  @Test
  void aJitLogEndsAtItsFirstNulAndATruncatedOneSaysSo() {
    byte[] buffer = new byte[64];
    byte[] text =
        "ptxas fatal   : Unresolved extern function 'f'\n".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(text, 0, buffer, 0, text.length);
    assertEquals("ptxas fatal   : Unresolved extern function 'f'", PtxJit.logText(buffer));
    assertEquals("", PtxJit.logText(new byte[16]));
    byte[] full = "x".repeat(8).getBytes(StandardCharsets.UTF_8);
    assertEquals("xxxxxxxx\n[log truncated at 8 bytes]", PtxJit.logText(full));
    assertArrayEquals(new byte[] {'a', 'b', 0}, PtxJit.terminated("ab"));
  }

  @Test
  void theFailureNamesTheModuleTheStatusAndQuotesTheLogs() {
    String m =
        PtxJit.failureMessage(
            "adam",
            CUresult.CUDA_ERROR_INVALID_PTX,
            "ptxas application ptx input, line 12; error   : Unknown symbol 'x'\nptxas fatal   : Ptx assembly aborted",
            "");
    assertEquals(
        "cuModuleLoadDataEx(ptx/adam.ptx) failed: CUDA_ERROR_INVALID_PTX (218); JIT error log:\n"
            + "  ptxas application ptx input, line 12; error   : Unknown symbol 'x'\n"
            + "  ptxas fatal   : Ptx assembly aborted",
        m);
    assertTrue(
        PtxJit.failureMessage("adam", CUresult.CUDA_ERROR_INVALID_PTX, "", "")
            .endsWith("; the JIT wrote no log"));
    assertTrue(
        PtxJit.failureMessage("adam", CUresult.CUDA_ERROR_INVALID_PTX, "", "info: 12 registers")
            .endsWith("(218); JIT info log:\n  info: 12 registers"));
  }
}
