package org.featviz.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.featviz.conformance.ConformanceCase;
import org.featviz.conformance.ConformanceRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code featviz conformance DIR...}: runs ONNX backend test cases and compares every output. */
@Command(name = "conformance",
    description = "Run ONNX backend test cases (folders with model.onnx and test_data_set_N) and compare outputs"
        + " (relative tolerance 1e-4, absolute 1e-5).")
final class ConformanceCommand implements Callable<Integer> {
  @Parameters(paramLabel = "DIR", arity = "1..*",
      description = "a case folder, or a folder of case folders such as /usr/share/libonnx-testdata/data/node")
  List<Path> dirs;

  @Option(names = "--device", defaultValue = "cpu", description = "backend: cpu (default)")
  String device;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (!device.equals("cpu")) {
      throw new org.featviz.ir.ModelException("--device " + device + ": only the cpu backend exists so far");
    }
    PrintWriter out = spec.commandLine().getOut();
    int passed = 0;
    int failed = 0;
    int unsupported = 0;
    for (Path dir : ConformanceRunner.findCases(dirs)) {
      ConformanceCase c = ConformanceRunner.run(dir);
      out.println(c);
      out.flush();
      switch (c.status()) {
        case PASS -> passed++;
        case FAIL -> failed++;
        case UNSUPPORTED -> unsupported++;
      }
    }
    out.printf("%d passed, %d failed, %d unsupported%n", passed, failed, unsupported);
    return failed == 0 ? 0 : 1;
  }
}
