package org.featviz.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.featviz.device.DeviceException;
import org.featviz.device.KernelSignature;

/**
 * One PTX file shipped in the jar (resource {@code ptx/NAME.ptx}, built from {@code cuda/NAME.cu}
 * by cuda/build-ptx.sh): its text, the SHA-256 of the source it was built from (first line), and
 * the signature of each kernel entry, read from the {@code .param} list so that launches are
 * checked before they reach the driver.
 */
record PtxModule(
    String name, String text, String sourceSha256, Map<String, KernelSignature> kernels) {
  /** The list of module names, one a line, written by cuda/build-ptx.sh. */
  static final String INDEX_RESOURCE = "/ptx/index.txt";

  static final String HASH_PREFIX = "// featviz-source-sha256: ";

  private static final Pattern ENTRY =
      Pattern.compile("\\.entry\\s+([A-Za-z_$][\\w$]*)\\s*\\(([^)]*)\\)");
  private static final Pattern PARAM = Pattern.compile("\\.param\\s+\\.(\\w+)");

  /** Every module listed in the index on the class path. */
  static List<PtxModule> loadAll() {
    List<PtxModule> modules = new ArrayList<>();
    for (String line : resource(INDEX_RESOURCE).split("\n")) {
      String name = line.strip();
      if (!name.isEmpty()) modules.add(parse(name, resource("/ptx/" + name + ".ptx")));
    }
    return modules;
  }

  static PtxModule parse(String name, String text) {
    String firstLine = text.lines().findFirst().orElse("");
    String hash =
        firstLine.startsWith(HASH_PREFIX)
            ? firstLine.substring(HASH_PREFIX.length()).strip()
            : null;
    Map<String, KernelSignature> kernels = new LinkedHashMap<>();
    Matcher entry = ENTRY.matcher(text);
    while (entry.find()) {
      String kernel = entry.group(1);
      List<KernelSignature.Param> params = new ArrayList<>();
      for (String param : entry.group(2).split(",")) {
        if (param.isBlank()) continue;
        Matcher type = PARAM.matcher(param);
        if (!type.find())
          throw new DeviceException(
              "ptx/"
                  + name
                  + ".ptx: cannot read parameter '"
                  + param.strip()
                  + "' of kernel "
                  + kernel);
        params.add(paramType(name, kernel, type.group(1)));
      }
      kernels.put(kernel, new KernelSignature(kernel, params));
    }
    return new PtxModule(name, text, hash, kernels);
  }

  private static KernelSignature.Param paramType(String module, String kernel, String ptxType) {
    return switch (ptxType) {
      case "u64", "s64", "b64" -> KernelSignature.Param.B64;
      case "u32", "s32", "b32" -> KernelSignature.Param.I32;
      case "f32" -> KernelSignature.Param.F32;
      default ->
          throw new DeviceException(
              "ptx/"
                  + module
                  + ".ptx: kernel "
                  + kernel
                  + " has a parameter of type ."
                  + ptxType
                  + "; kernels take pointers, float, and 32/64-bit integers");
    };
  }

  private static String resource(String path) {
    try (InputStream in = PtxModule.class.getResourceAsStream(path)) {
      if (in == null)
        throw new DeviceException(
            "no resource " + path + " on the class path (run cuda/build-ptx.sh)");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new DeviceException("cannot read resource " + path + ": " + e.getMessage(), e);
    }
  }
}
