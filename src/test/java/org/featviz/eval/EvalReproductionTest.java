package org.featviz.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.featviz.BundledModels;
import org.featviz.TestData;
import org.featviz.data.Dataset;
import org.featviz.data.FashionMnist;
import org.featviz.ir.Graph;
import org.featviz.model.InputNormalization;
import org.featviz.onnx.OnnxImporter;
import org.featviz.passes.Prepare;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The end-to-end proof that import, passes and the CPU engine are right on real models: featviz's
 * predictions on the Fashion-MNIST test split equal PyTorch's (models/predictions, written by
 * models/train.py) for at least 99.9% of the images. The CNN and VGG run on a fixed leading part of
 * the split to keep CI short.
 */
class EvalReproductionTest {
  @ParameterizedTest
  @CsvSource({"fashion-mlp, 10000", "fashion-cnn, 1000", "fashion-vgg, 2000"})
  void predictionsMatchPyTorch(String model, int images) throws IOException {
    TestData.require(FashionMnist.DEBIAN_DIR, FashionMnist.DEBIAN_PACKAGE);
    Dataset data = FashionMnist.load(FashionMnist.Split.TEST).slice(0, images);
    Graph imported = OnnxImporter.read(BundledModels.path(model));
    Graph graph = Prepare.forRun(imported, null, List.of());
    Evaluation e =
        Evaluator.run(
            graph, data, InputNormalization.fromMetadata(imported.metadata(), model), 250, n -> {});
    List<String> expected = Files.readAllLines(BundledModels.predictions(model));
    assertEquals(10000, expected.size(), "one prediction per test image");
    int same = 0;
    for (int i = 0; i < images; i++)
      if (e.predictions()[i] == Integer.parseInt(expected.get(i).strip())) same++;
    assertTrue(
        same >= Math.ceil(0.999 * images),
        model + ": " + same + " of " + images + " predictions equal PyTorch's");
    if (images == 10000) {
      int correct = 0;
      for (int i = 0; i < images; i++)
        if (Integer.parseInt(expected.get(i).strip()) == data.label(i)) correct++;
      assertEquals(
          correct / 100.0, 100 * e.accuracy(), 0.1, model + " accuracy (%) against PyTorch's");
    }
  }
}
