package org.featviz.cli;

import java.nio.file.Path;
import org.featviz.data.Dataset;
import org.featviz.data.FashionMnist;
import picocli.CommandLine.Option;

/** The {@code --data-dir} option of the commands that read Fashion-MNIST's test images. */
final class DataDirOption {
  @Option(names = "--data-dir", description = "Fashion-MNIST folder (default: Debian's)")
  Path dataDir; // the field's name is the help's <dataDir>

  /** The test split from the folder given, else from Debian's. */
  Dataset testSplit() {
    return FashionMnist.load(
        dataDir != null ? dataDir : FashionMnist.defaultDir(), FashionMnist.Split.TEST);
  }
}
