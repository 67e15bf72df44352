package org.featviz.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.featviz.TestData;
import org.featviz.ir.ModelException;
import org.featviz.onnx.OnnxModelBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every ONNX backend node case whose ops featviz supports must pass on the CPU backend. */
class ConformanceTest {
  @Test
  void everySupportedNodeCasePasses() {
    Path root = nodeCases();
    List<String> failures = new ArrayList<>();
    int passed = 0;
    for (Path dir : ConformanceRunner.findCases(List.of(root))) {
      ConformanceCase c = ConformanceRunner.run(dir);
      if (c.status() == ConformanceCase.Status.FAIL) failures.add(c.toString());
      if (c.status() == ConformanceCase.Status.PASS) passed++;
    }
    if (!failures.isEmpty())
      fail(failures.size() + " conformance cases failed:\n" + String.join("\n", failures));
    // The supported ops cover well over a hundred node cases (conv, pooling, gemm, broadcasting,
    // softmax, ...).
    assertTrue(passed >= 100, "only " + passed + " cases passed");
  }

  /** The node cases of the elementwise functions of one input (ops.UnaryFunction). */
  static final List<String> UNARY_FUNCTION_CASES =
      List.of(
          "test_abs",
          "test_elu",
          "test_elu_default",
          "test_elu_example",
          "test_erf",
          "test_exp",
          "test_exp_example",
          "test_hardsigmoid",
          "test_hardsigmoid_default",
          "test_hardsigmoid_example",
          "test_hardswish",
          "test_hardswish_expanded",
          "test_log",
          "test_log_example",
          "test_neg",
          "test_neg_example",
          "test_selu",
          "test_selu_default",
          "test_selu_example",
          "test_softplus",
          "test_softplus_example",
          "test_sqrt",
          "test_sqrt_example");

  /**
   * The node cases of Squeeze, Unsqueeze and Slice (the axes and indices an int64 graph input, read
   * as a constant).
   */
  static final List<String> SQUEEZE_CASES =
      List.of(
          "test_squeeze",
          "test_squeeze_negative_axes",
          "test_unsqueeze_axis_0",
          "test_unsqueeze_axis_1",
          "test_unsqueeze_axis_2",
          "test_unsqueeze_axis_3",
          "test_unsqueeze_negative_axes",
          "test_unsqueeze_three_axes",
          "test_unsqueeze_two_axes",
          "test_unsqueeze_unsorted_axes",
          "test_slice",
          "test_slice_default_axes",
          "test_slice_default_steps",
          "test_slice_end_out_of_bounds",
          "test_slice_neg",
          "test_slice_neg_steps",
          "test_slice_negative_axes",
          "test_slice_start_out_of_bounds");

  /** The node cases of PRelu (the slope a graph input there, a float tensor like any other). */
  static final List<String> PRELU_CASES = List.of("test_prelu_broadcast", "test_prelu_example");

  /**
   * The node cases of LogSoftmax, and their _expanded twins (ReduceMax, Sub, Exp, ReduceSum, Log).
   */
  static final List<String> LOG_SOFTMAX_CASES =
      List.of(
          "test_logsoftmax_axis_0",
          "test_logsoftmax_axis_1",
          "test_logsoftmax_axis_2",
          "test_logsoftmax_default_axis",
          "test_logsoftmax_example_1",
          "test_logsoftmax_large_number",
          "test_logsoftmax_negative_axis",
          "test_logsoftmax_axis_0_expanded",
          "test_logsoftmax_axis_1_expanded",
          "test_logsoftmax_axis_2_expanded",
          "test_logsoftmax_default_axis_expanded",
          "test_logsoftmax_example_1_expanded",
          "test_logsoftmax_large_number_expanded",
          "test_logsoftmax_negative_axis_expanded");

  /** The node cases of InstanceNormalization. */
  static final List<String> INSTANCE_NORM_CASES =
      List.of("test_instancenorm_epsilon", "test_instancenorm_example");

  /** The node cases of Tile (the repeats an int64 graph input, read as a constant). */
  static final List<String> TILE_CASES = List.of("test_tile", "test_tile_precomputed");

  /**
   * The node cases of Resize (nearest and linear; the scales a float graph input there, read as a
   * constant) and Upsample; the cubic ones and tf_crop_and_resize are refused.
   */
  static final List<String> RESIZE_CASES =
      List.of(
          "test_resize_downsample_scales_linear",
          "test_resize_downsample_scales_linear_align_corners",
          "test_resize_downsample_scales_nearest",
          "test_resize_downsample_sizes_linear_pytorch_half_pixel",
          "test_resize_downsample_sizes_nearest",
          "test_resize_downsample_sizes_nearest_tf_half_pixel_for_nn",
          "test_resize_upsample_scales_linear",
          "test_resize_upsample_scales_linear_align_corners",
          "test_resize_upsample_scales_nearest",
          "test_resize_upsample_sizes_nearest",
          "test_resize_upsample_sizes_nearest_ceil_half_pixel",
          "test_resize_upsample_sizes_nearest_floor_align_corners",
          "test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric",
          "test_upsample_nearest");

  /** The node cases of ConvTranspose (a negative total padding is refused). */
  static final List<String> CONV_TRANSPOSE_CASES =
      List.of(
          "test_convtranspose",
          "test_convtranspose_1d",
          "test_convtranspose_3d",
          "test_convtranspose_autopad_same",
          "test_convtranspose_dilations",
          "test_convtranspose_kernel_shape",
          "test_convtranspose_pad",
          "test_convtranspose_pads",
          "test_convtranspose_with_kernel");

  /**
   * The node cases of Expand of float data (the shape an int64 graph input, read as a constant).
   */
  static final List<String> EXPAND_CASES =
      List.of("test_expand_dim_changed", "test_expand_dim_unchanged");

  /** The cases of the ops torchvision's classifiers and their exports add, one list per op. */
  static final List<List<String>> IMAGE_MODEL_OP_CASES = List.of(PRELU_CASES, LOG_SOFTMAX_CASES);

  @Test
  void theImageModelOpCasesPass() {
    Path root =
        TestData.require(Path.of("/usr/share/libonnx-testdata/data/node"), "libonnx-testdata");
    for (List<String> cases : IMAGE_MODEL_OP_CASES) {
      for (String name : cases) {
        ConformanceCase c = ConformanceRunner.run(root.resolve(name));
        assertEquals(ConformanceCase.Status.PASS, c.status(), c.toString());
      }
    }
  }

  /**
   * Node cases that are shape arithmetic on constants (their int64 inputs are read as constants):
   * FoldShapes evaluates them, so the ONNX reference's outputs check the folding.
   */
  static final List<String> SHAPE_ARITHMETIC_CASES =
      List.of(
          "test_constantofshape_float_ones",
          "test_constantofshape_int_shape_zero",
          "test_constantofshape_int_zeros",
          "test_max_int64",
          "test_min_int64",
          "test_mod_int64_fmod",
          "test_mod_mixed_sign_int64",
          "test_shape",
          "test_shape_clip_end",
          "test_shape_clip_start",
          "test_shape_end_1",
          "test_shape_end_negative_1",
          "test_shape_example",
          "test_shape_start_1",
          "test_shape_start_1_end_2",
          "test_shape_start_1_end_negative_1",
          "test_shape_start_negative_1",
          "test_size",
          "test_size_example");

  @Test
  void theShapeArithmeticCasesFoldToTheExpectedValues() {
    assertPass(SHAPE_ARITHMETIC_CASES);
  }

  @Test
  void theSqueezeUnsqueezeAndSliceCasesPass() {
    assertPass(SQUEEZE_CASES);
  }

  /**
   * The node cases of Gather (constant indices), ReduceSum / ReduceMean / ReduceMax, Split and
   * float Max / Min, with the expanded cases (Softmax, MeanVarianceNormalization) they complete.
   */
  static final List<String> GATHER_REDUCE_SPLIT_CASES =
      List.of(
          "test_gather_0",
          "test_gather_1",
          "test_gather_2d_indices",
          "test_gather_negative_indices",
          "test_max_example",
          "test_max_float32",
          "test_max_one_input",
          "test_max_two_inputs",
          "test_min_example",
          "test_min_float32",
          "test_min_one_input",
          "test_min_two_inputs",
          "test_mvn_expanded",
          "test_reduce_max_default_axes_keepdim_example",
          "test_reduce_max_default_axes_keepdims_random",
          "test_reduce_max_do_not_keepdims_example",
          "test_reduce_max_do_not_keepdims_random",
          "test_reduce_max_keepdims_example",
          "test_reduce_max_keepdims_random",
          "test_reduce_max_negative_axes_keepdims_example",
          "test_reduce_max_negative_axes_keepdims_random",
          "test_reduce_mean_default_axes_keepdims_example",
          "test_reduce_mean_default_axes_keepdims_random",
          "test_reduce_mean_do_not_keepdims_example",
          "test_reduce_mean_do_not_keepdims_random",
          "test_reduce_mean_keepdims_example",
          "test_reduce_mean_keepdims_random",
          "test_reduce_mean_negative_axes_keepdims_example",
          "test_reduce_mean_negative_axes_keepdims_random",
          "test_reduce_sum_default_axes_keepdims_example",
          "test_reduce_sum_default_axes_keepdims_random",
          "test_reduce_sum_do_not_keepdims_example",
          "test_reduce_sum_do_not_keepdims_random",
          "test_reduce_sum_empty_axes_input_noop_example",
          "test_reduce_sum_empty_axes_input_noop_random",
          "test_reduce_sum_keepdims_example",
          "test_reduce_sum_keepdims_random",
          "test_reduce_sum_negative_axes_keepdims_example",
          "test_reduce_sum_negative_axes_keepdims_random",
          "test_softmax_axis_0_expanded",
          "test_softmax_axis_1_expanded",
          "test_softmax_axis_2_expanded",
          "test_softmax_default_axis_expanded",
          "test_softmax_example_expanded",
          "test_softmax_large_number_expanded",
          "test_softmax_negative_axis_expanded",
          "test_split_equal_parts_1d",
          "test_split_equal_parts_2d",
          "test_split_equal_parts_default_axis",
          "test_split_variable_parts_1d",
          "test_split_variable_parts_2d",
          "test_split_variable_parts_default_axis",
          "test_split_zero_size_splits");

  @Test
  void theGatherReduceSplitAndMaxMinCasesPass() {
    assertPass(GATHER_REDUCE_SPLIT_CASES);
    // Their int64 twins remain shape arithmetic, folded, not float data.
    assertPass(List.of("test_max_int64", "test_min_int64"));
  }

  /**
   * The node cases of LayerNormalization (opset 17; each checks Y, Mean and InvStdDev), and their
   * expanded twins (the function body in primitive ops, whose Casts of float data to float are
   * no-ops).
   */
  static final List<String> LAYER_NORMALIZATION_CASES = layerNormalizationCases();

  private static List<String> layerNormalizationCases() {
    List<String> names = new ArrayList<>();
    for (String c :
        List.of(
            "2d_axis0",
            "2d_axis1",
            "2d_axis_negative_1",
            "2d_axis_negative_2",
            "3d_axis0_epsilon",
            "3d_axis1_epsilon",
            "3d_axis2_epsilon",
            "3d_axis_negative_1_epsilon",
            "3d_axis_negative_2_epsilon",
            "3d_axis_negative_3_epsilon",
            "4d_axis0",
            "4d_axis1",
            "4d_axis2",
            "4d_axis3",
            "4d_axis_negative_1",
            "4d_axis_negative_2",
            "4d_axis_negative_3",
            "4d_axis_negative_4",
            "default_axis")) {
      names.add("test_layer_normalization_" + c);
    }
    return List.copyOf(names);
  }

  @Test
  void theLayerNormalizationCasesAndTheirExpandedTwinsPass() {
    Path root =
        TestData.require(Path.of("/usr/share/libonnx-testdata/data/node"), "libonnx-testdata");
    List<String> failures = new ArrayList<>();
    for (String name : LAYER_NORMALIZATION_CASES) {
      ConformanceCase c = ConformanceRunner.run(root.resolve(name));
      if (c.status() != ConformanceCase.Status.PASS) failures.add(c.toString());
      ConformanceCase e = ConformanceRunner.run(root.resolve(name + "_expanded"));
      if (e.status() != ConformanceCase.Status.PASS) failures.add(e.toString());
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  /** Pow's cases give the exponent as a graph input, which featviz refuses. */
  static final List<String> POW_CASES =
      List.of("test_pow", "test_pow_bcast_array", "test_pow_bcast_scalar", "test_pow_example");

  @Test
  void theUnaryFunctionCasesPassAndPowWithAGraphInputExponentIsRefused() {
    assertPass(UNARY_FUNCTION_CASES);
    for (String name : POW_CASES) {
      ConformanceCase c = ConformanceRunner.run(nodeCases().resolve(name));
      assertEquals(ConformanceCase.Status.UNSUPPORTED, c.status(), c.toString());
      assertTrue(c.detail().contains("constant one-element exponent"), c.detail());
    }
  }

  @Test
  void anInt64InputFeedingAnOpsDataIsUnsupportedNamingIt(@TempDir Path dir) throws Exception {
    Path set = Files.createDirectories(dir.resolve("int64_add/test_data_set_0"));
    new OnnxModelBuilder()
        .typedInput("a", OnnxModelBuilder.INT64, 2)
        .input("b", 2)
        .node("Add", "add", List.of("a", "b"), List.of("y"))
        .output("y", 2)
        .write(set.getParent().resolve("model.onnx"));
    Files.write(set.resolve("input_0.pb"), OnnxModelBuilder.int64Tensor("a", new long[] {2}, 1, 2));
    Files.write(
        set.resolve("input_1.pb"), OnnxModelBuilder.floatTensor("b", new long[] {2}, 0.5f, 0.25f));
    Files.write(
        set.resolve("output_0.pb"), OnnxModelBuilder.floatTensor("y", new long[] {2}, 1.5f, 2.25f));
    ConformanceCase c = ConformanceRunner.run(set.getParent());
    assertEquals(ConformanceCase.Status.UNSUPPORTED, c.status(), c.toString());
    assertTrue(
        c.detail().contains("Add node 'add'") && c.detail().contains("int64 graph input 'a'"),
        c.detail());
  }

  @Test
  void aFolderWithoutCasesIsAnError(@TempDir Path dir) {
    ModelException e =
        assertThrows(ModelException.class, () -> ConformanceRunner.findCases(List.of(dir)));
    assertEquals(
        "no ONNX test cases (folders with model.onnx and test_data_set_N) under " + dir,
        e.getMessage());
  }

  @Test
  void aKnownCaseReportsPass() {
    Path dir =
        TestData.require(
            Path.of("/usr/share/libonnx-testdata/data/node/test_relu"), "libonnx-testdata");
    assertEquals(ConformanceCase.Status.PASS, ConformanceRunner.run(dir).status());
    assertTrue(Files.exists(dir.resolve("model.onnx")));
  }

  /** The ONNX backend node test cases (Debian's libonnx-testdata). */
  static Path nodeCases() {
    return TestData.require(Path.of("/usr/share/libonnx-testdata/data/node"), "libonnx-testdata");
  }

  /** Each of these node cases passes on the CPU backend. */
  private static void assertPass(List<String> cases) {
    for (String name : cases) {
      ConformanceCase c = ConformanceRunner.run(nodeCases().resolve(name));
      assertEquals(ConformanceCase.Status.PASS, c.status(), c.toString());
    }
  }
}
