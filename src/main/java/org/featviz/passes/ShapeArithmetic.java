package org.featviz.passes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.IntUnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.featviz.ir.Attributes;
import org.featviz.ir.DType;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ir.UnsupportedException;
import org.featviz.ops.Broadcast;

/**
 * Host evaluation of the ops of shape arithmetic (Shape, Gather, Unsqueeze, Concat,
 * ConstantOfShape, Range, Equal, Where, Cast, integer Add/Sub/Mul/Div, ...) on known tensors of any
 * featviz dtype, for {@link FoldShapes}. Integers are exact (int64), comparisons give bool; float
 * inputs are computed in float32 as the CPU kernels do. Written from the ONNX operator
 * specification.
 */
final class ShapeArithmetic {
  private ShapeArithmetic() {}

  /** The ops that exist only as shape arithmetic: featviz has no kernel for them. */
  static final Set<String> SHAPE_ONLY =
      Set.of(
          "Shape",
          "Size",
          "ConstantOfShape",
          "Range",
          "Equal",
          "Less",
          "Greater",
          "LessOrEqual",
          "GreaterOrEqual",
          "Not",
          "And",
          "Or",
          "Where",
          "Cast",
          "Mod",
          "ReduceProd");

  /**
   * The ops evaluated here when their inputs are known: the shape-only ones and those that may also
   * stand outside shape arithmetic.
   */
  static final Set<String> OPS =
      Stream.concat(
              SHAPE_ONLY.stream(),
              Stream.of(
                  "Constant",
                  "Gather",
                  "Unsqueeze",
                  "Squeeze",
                  "Concat",
                  "Reshape",
                  "Flatten",
                  "Slice",
                  "Transpose",
                  "ScatterND",
                  "Expand",
                  "Add",
                  "Sub",
                  "Mul",
                  "Div",
                  "Min",
                  "Max",
                  "Neg",
                  "Abs",
                  "Identity"))
          .collect(Collectors.toUnmodifiableSet());

  /** The most elements a folded value may have (a corrupt shape must not allocate gigabytes). */
  static final int MAX_ELEMENTS = 1 << 24;

  /**
   * The node's outputs from its inputs (null for omitted optional inputs) and, for Shape and Size,
   * the input's shape. Throws {@link ModelException} naming the node for inputs the op refuses.
   */
  static Tensor[] evaluate(Node n, int opset, Tensor[] in, Shape shapeOfInput0) {
    try {
      return new Tensor[] {eval(n, opset, in, shapeOfInput0)};
    } catch (ModelException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ModelException(n.describe() + ": " + e.getMessage(), e);
    }
  }

  private static Tensor eval(Node n, int opset, Tensor[] in, Shape s0) {
    Attributes a = n.attributes();
    return switch (n.opType()) {
      case "Shape" -> {
        int r = s0.rank();
        int start = clamp(a.getInt("start", 0), r);
        int end = clamp(a.getInt("end", r), r);
        long[] v = new long[Math.max(0, end - start)];
        for (int i = 0; i < v.length; i++) v[i] = s0.dim(start + i);
        yield ints(Shape.of(v.length), v);
      }
      case "Size" -> ints(Shape.scalar(), new long[] {s0.size()});
      case "Constant" -> constant(n, a);
      case "Identity" -> in[0];
      case "ConstantOfShape" -> {
        Shape out = shapeFrom(n, in[0].longs());
        Tensor v = a.getTensor("value");
        if (v == null) yield Tensor.zeros(out);
        if (v.size() != 1) throw error(n, "value must hold one element, not " + v.shape());
        yield take(v, out, i -> 0);
      }
      case "Gather" -> gather(n, in[0], in[1], (int) a.getInt("axis", 0));
      case "Unsqueeze" -> unsqueeze(n, in[0], axes(n, opset, in, 13, null));
      case "Squeeze" -> squeeze(n, in[0], axes(n, opset, in, 13, null));
      case "Concat" -> concat(n, in, (int) a.getInt("axis", 0));
      case "Reshape" -> in[0].reshape(reshape(n, in[0].shape(), in[1].longs(), a));
      case "Flatten" -> {
        Shape x = in[0].shape();
        int axis = (int) a.getInt("axis", 1);
        if (axis < 0) axis += x.rank();
        if (axis < 0 || axis > x.rank()) throw error(n, "axis out of range for " + x);
        yield in[0].reshape(Shape.of(x.size(0, axis), x.size(axis, x.rank())));
      }
      case "Slice" -> slice(n, opset, in);
      case "Transpose" -> transpose(n, in[0], a.getInts("perm", null));
      case "ScatterND" -> scatterNd(n, in[0], in[1], in[2], a.getString("reduction", "none"));
      case "Expand" -> {
        Shape target = shapeFrom(n, in[1].longs());
        Shape out = Broadcast.multidirectional(in[0].shape(), target);
        if (out == null)
          throw error(
              n, "cannot expand " + in[0].shape() + " to " + Arrays.toString(target.dims()));
        yield broadcastTo(in[0], out);
      }
      case "Range" -> range(n, in);
      case "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual" -> compare(n, in[0], in[1]);
      case "And", "Or" -> logic(n, in[0], in[1]);
      case "Not" -> {
        requireType(n, in[0], DType.BOOL);
        long[] x = in[0].longs();
        long[] v = new long[x.length];
        for (int i = 0; i < v.length; i++) v[i] = x[i] == 0 ? 1 : 0;
        yield Tensor.ofInts(DType.BOOL, in[0].shape(), v);
      }
      case "Where" -> where(n, in[0], in[1], in[2]);
      case "Cast" -> cast(n, in[0], (int) a.getInt("to", -1));
      case "Add", "Sub", "Mul", "Div", "Mod", "Min", "Max" -> arithmetic(n, in);
      case "Neg", "Abs" -> unary(n, in[0]);
      case "ReduceProd" -> reduceProd(n, opset, in);
      default -> throw error(n, "not shape arithmetic featviz folds");
    };
  }

  private static int clamp(long v, int rank) {
    if (v < 0) v += rank;
    return (int) Math.max(0, Math.min(rank, v));
  }

  private static ModelException error(Node n, String message) {
    return new ModelException(n.describe() + ": " + message);
  }

  private static Tensor ints(Shape s, long[] v) {
    return Tensor.ofInts(DType.INT64, s, v);
  }

  private static Tensor constant(Node n, Attributes a) {
    if (a.getTensor("value") != null) return a.getTensor("value");
    if (a.has("value_int")) return ints(Shape.scalar(), new long[] {a.getInt("value_int", 0)});
    if (a.has("value_ints")) {
      long[] v = a.getInts("value_ints", null);
      return ints(Shape.of(v.length), v.clone());
    }
    if (a.has("value_float")) return Tensor.scalar(a.getFloat("value_float", 0));
    if (a.has("value_floats")) {
      float[] v = a.getFloats("value_floats", null);
      return Tensor.of(Shape.of(v.length), v.clone());
    }
    throw error(n, "has no value featviz reads (value, value_int(s), value_float(s))");
  }

  private static Shape shapeFrom(Node n, long[] dims) {
    long size = 1;
    for (long d : dims) {
      if (d < 0) throw error(n, "negative dimension in shape " + Arrays.toString(dims));
      size *= d;
      if (size > MAX_ELEMENTS)
        throw error(n, "the shape " + Arrays.toString(dims) + " is too large to fold");
    }
    return Shape.of(dims);
  }

  /** A tensor of shape out whose element i is element src(i) of t, in t's dtype. */
  /**
   * ScatterND without reduction: data with the slices that indices[..., :] address replaced by
   * updates, as Swin's shifted-window mask writes its constant regions.
   */
  private static Tensor scatterNd(Node n, Tensor data, Tensor indices, Tensor updates, String red) {
    if (!red.equals("none")) throw error(n, "reduction '" + red + "' is not folded");
    if (data.dtype() != updates.dtype())
      throw error(n, "data is " + data.dtype() + " but updates are " + updates.dtype());
    Shape ds = data.shape();
    Shape is = indices.shape();
    if (is.rank() == 0) throw error(n, "indices must have at least one dimension");
    int k = is.dim(is.rank() - 1);
    if (k > ds.rank()) throw error(n, "index tuples of " + k + " exceed the rank of " + ds);
    int tuples = is.size(0, is.rank() - 1);
    int slice = ds.size(k, ds.rank());
    if (updates.size() != tuples * slice)
      throw error(n, "updates " + updates.shape() + " do not match indices " + is + " into " + ds);
    long[] idx = indices.longs();
    int[] strides = ds.strides();
    int[] target = new int[updates.size()];
    for (int t = 0; t < tuples; t++) {
      int at = 0;
      for (int j = 0; j < k; j++) {
        long v = idx[t * k + j];
        if (v < 0) v += ds.dim(j);
        if (v < 0 || v >= ds.dim(j))
          throw error(
              n, "index " + idx[t * k + j] + " is out of range for axis " + j + " of " + ds);
        at += (int) v * strides[j];
      }
      for (int e = 0; e < slice; e++) target[t * slice + e] = at + e;
    }
    if (data.dtype() == DType.FLOAT) {
      float[] v = data.data().clone();
      for (int i = 0; i < target.length; i++) v[target[i]] = updates.data()[i];
      return Tensor.of(ds, v);
    }
    long[] v = data.longs().clone();
    for (int i = 0; i < target.length; i++) v[target[i]] = updates.longs()[i];
    return Tensor.ofInts(data.dtype(), ds, v);
  }

  /** Transpose (perm default: the axes reversed), as PyTorch's Pad exports its int64 pads. */
  private static Tensor transpose(Node n, Tensor x, long[] perm) {
    int r = x.shape().rank();
    int[] p = new int[r];
    boolean[] seen = new boolean[r];
    for (int k = 0; k < r; k++) {
      long v = perm == null ? r - 1 - k : k < perm.length ? perm[k] : -1;
      if (v < 0 || v >= r || seen[(int) v] || (perm != null && perm.length != r))
        throw error(n, "perm " + Arrays.toString(perm) + " is not a permutation of " + r + " axes");
      seen[(int) v] = true;
      p[k] = (int) v;
    }
    int[] strides = x.shape().strides();
    int[] dims = new int[r];
    for (int k = 0; k < r; k++) dims[k] = x.shape().dim(p[k]);
    return take(
        x,
        Shape.of(dims),
        i -> {
          int src = 0;
          for (int k = r - 1; k >= 0; k--) {
            src += (i % dims[k]) * strides[p[k]];
            i /= dims[k];
          }
          return src;
        });
  }

  private static Tensor take(Tensor t, Shape out, IntUnaryOperator src) {
    if (out.size() > MAX_ELEMENTS)
      throw new IllegalArgumentException(out + " is too large to fold");
    if (t.dtype() == DType.FLOAT) {
      float[] x = t.data();
      float[] v = new float[out.size()];
      for (int i = 0; i < v.length; i++) v[i] = x[src.applyAsInt(i)];
      return Tensor.of(out, v);
    }
    long[] x = t.longs();
    long[] v = new long[out.size()];
    for (int i = 0; i < v.length; i++) v[i] = x[src.applyAsInt(i)];
    return Tensor.ofInts(t.dtype(), out, v);
  }

  private static Tensor broadcastTo(Tensor t, Shape out) {
    int[] src = Broadcast.sourceIndices(t.shape(), out);
    return take(t, out, i -> src[i]);
  }

  private static Tensor gather(Node n, Tensor data, Tensor indices, int axis) {
    Shape x = data.shape();
    if (x.rank() == 0) throw error(n, "cannot gather from a scalar");
    int ax = x.axis(axis, n.describe());
    long[] idx = indices.longs();
    int dim = x.dim(ax);
    int[] k = new int[idx.length];
    for (int i = 0; i < idx.length; i++) {
      long v = idx[i] < 0 ? idx[i] + dim : idx[i];
      if (v < 0 || v >= dim)
        throw error(n, "index " + idx[i] + " out of range for axis " + axis + " of " + x);
      k[i] = (int) v;
    }
    int outer = x.size(0, ax);
    int inner = x.size(ax + 1, x.rank());
    int[] dims = new int[x.rank() - 1 + indices.shape().rank()];
    int d = 0;
    for (int i = 0; i < ax; i++) dims[d++] = x.dim(i);
    for (int i = 0; i < indices.shape().rank(); i++) dims[d++] = indices.shape().dim(i);
    for (int i = ax + 1; i < x.rank(); i++) dims[d++] = x.dim(i);
    int m = idx.length;
    return take(
        data,
        Shape.of(dims),
        i -> {
          int in = i % inner;
          int j = (i / inner) % m;
          int o = i / inner / m;
          return (o * dim + k[j]) * inner + in;
        });
  }

  /** Axes from input 1 (from {@code inputFrom} on) or the attribute 'axes' before; null if none. */
  private static long[] axes(Node n, int opset, Tensor[] in, int inputFrom, long[] fallback) {
    if (opset >= inputFrom) return in.length > 1 && in[1] != null ? in[1].longs() : fallback;
    return n.attributes().getInts("axes", fallback);
  }

  private static Tensor unsqueeze(Node n, Tensor x, long[] axes) {
    if (axes == null) throw error(n, "has no axes");
    int rank = x.shape().rank() + axes.length;
    boolean[] added = new boolean[rank];
    for (long axis : axes) {
      int ax = (int) (axis < 0 ? axis + rank : axis);
      if (ax < 0 || ax >= rank || added[ax])
        throw error(n, "axes " + Arrays.toString(axes) + " invalid for " + x.shape());
      added[ax] = true;
    }
    int[] dims = new int[rank];
    for (int i = 0, k = 0; i < rank; i++) dims[i] = added[i] ? 1 : x.shape().dim(k++);
    return x.reshape(Shape.of(dims));
  }

  private static Tensor squeeze(Node n, Tensor x, long[] axes) {
    Shape s = x.shape();
    boolean[] drop = new boolean[s.rank()];
    if (axes == null) {
      for (int i = 0; i < s.rank(); i++) drop[i] = s.dim(i) == 1;
    } else {
      for (long axis : axes) {
        int ax = s.axis((int) axis, n.describe());
        if (s.dim(ax) != 1)
          throw error(n, "cannot squeeze axis " + axis + " of " + s + ": its size is not 1");
        drop[ax] = true;
      }
    }
    List<Integer> dims = new ArrayList<>();
    for (int i = 0; i < s.rank(); i++) if (!drop[i]) dims.add(s.dim(i));
    return x.reshape(Shape.of(dims.stream().mapToInt(Integer::intValue).toArray()));
  }

  private static Tensor concat(Node n, Tensor[] in, int axis) {
    Tensor first = in[0];
    Shape s = first.shape();
    int ax = s.axis(axis, n.describe());
    int total = 0;
    for (Tensor t : in) {
      if (t.dtype() != first.dtype() || t.shape().rank() != s.rank())
        throw error(n, "inputs differ in type or rank: " + first + " and " + t);
      for (int d = 0; d < s.rank(); d++)
        if (d != ax && t.shape().dim(d) != s.dim(d))
          throw error(n, "shapes " + s + " and " + t.shape() + " differ off the axis");
      total += t.shape().dim(ax);
    }
    Shape out = s.withDim(ax, total);
    int outer = s.size(0, ax);
    int inner = s.size(ax + 1, s.rank());
    if (first.dtype() == DType.FLOAT) {
      float[] v = new float[out.size()];
      int pos = 0;
      for (int o = 0; o < outer; o++)
        for (Tensor t : in) {
          int len = t.shape().dim(ax) * inner;
          System.arraycopy(t.data(), o * len, v, pos, len);
          pos += len;
        }
      return Tensor.of(out, v);
    }
    long[] v = new long[out.size()];
    int pos = 0;
    for (int o = 0; o < outer; o++)
      for (Tensor t : in) {
        int len = t.shape().dim(ax) * inner;
        System.arraycopy(t.longs(), o * len, v, pos, len);
        pos += len;
      }
    return Tensor.ofInts(first.dtype(), out, v);
  }

  /** Reshape's target: 0 copies the input's dimension (unless allowzero), one -1 is inferred. */
  static Shape reshape(Node n, Shape x, long[] requested, Attributes a) {
    boolean allowZero = a.getInt("allowzero", 0) != 0;
    long[] dims = requested.clone();
    int inferred = -1;
    long known = 1;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] == 0 && !allowZero) {
        if (i >= x.rank()) throw error(n, "0 at index " + i + " has no dimension of " + x);
        dims[i] = x.dim(i);
      }
      if (dims[i] == -1) {
        if (inferred >= 0) throw error(n, "more than one -1 in " + Arrays.toString(requested));
        inferred = i;
      } else if (dims[i] < 0) {
        throw error(n, "negative dimension in " + Arrays.toString(requested));
      } else {
        known *= dims[i];
      }
    }
    if (inferred >= 0) {
      if (known == 0 || x.size() % known != 0)
        throw error(n, "cannot reshape " + x + " to " + Arrays.toString(requested));
      dims[inferred] = x.size() / known;
    } else if (known != x.size()) {
      throw error(n, "cannot reshape " + x + " to " + Arrays.toString(requested));
    }
    return Shape.of(dims);
  }

  private static Tensor slice(Node n, int opset, Tensor[] in) {
    Tensor x = in[0];
    Shape s = x.shape();
    long[] starts;
    long[] ends;
    long[] axes;
    long[] steps;
    Attributes a = n.attributes();
    if (opset < 10) {
      starts = a.getInts("starts", null);
      ends = a.getInts("ends", null);
      axes = a.getInts("axes", null);
      steps = null;
    } else {
      starts = in[1].longs();
      ends = in[2].longs();
      axes = in.length > 3 && in[3] != null ? in[3].longs() : null;
      steps = in.length > 4 && in[4] != null ? in[4].longs() : null;
    }
    if (starts == null || ends == null || starts.length != ends.length)
      throw error(n, "starts and ends must be given with equal lengths");
    int[] begin = new int[s.rank()];
    int[] step = new int[s.rank()];
    int[] dims = s.dims().clone();
    Arrays.fill(step, 1);
    for (int k = 0; k < starts.length; k++) {
      int ax = s.axis(axes == null ? k : (int) axes[k], n.describe());
      long st = steps == null ? 1 : steps[k];
      if (st == 0) throw error(n, "step 0");
      int[] r = sliceRange(s.dim(ax), starts[k], ends[k], st);
      begin[ax] = r[0];
      dims[ax] = r[1];
      step[ax] = (int) st;
    }
    Shape out = Shape.of(dims);
    int[] strides = s.strides();
    int rank = s.rank();
    return take(
        x,
        out,
        i -> {
          int src = 0;
          int rest = i;
          for (int d = rank - 1; d >= 0; d--) {
            int c = rest % dims[d];
            rest /= dims[d];
            src += (begin[d] + c * step[d]) * strides[d];
          }
          return src;
        });
  }

  /** ONNX Slice on one axis: the first index and the count, after clamping. */
  static int[] sliceRange(int dim, long start, long end, long step) {
    if (start < 0) start += dim;
    if (end < 0) end += dim;
    if (step > 0) {
      start = Math.max(0, Math.min(dim, start));
      end = Math.max(0, Math.min(dim, end));
      return new int[] {(int) start, (int) Math.max(0, (end - start + step - 1) / step)};
    }
    start = Math.max(-1, Math.min(dim - 1, start));
    end = Math.max(-1, Math.min(dim - 1, end));
    return new int[] {(int) start, (int) Math.max(0, (start - end + (-step) - 1) / (-step))};
  }

  private static Tensor range(Node n, Tensor[] in) {
    for (Tensor t : in)
      if (t.size() != 1) throw error(n, "start, limit and delta must be scalars, not " + t.shape());
    if (in[0].dtype() == DType.FLOAT) {
      float start = in[0].data()[0];
      float limit = in[1].data()[0];
      float delta = in[2].data()[0];
      if (delta == 0) throw error(n, "delta 0");
      long count = (long) Math.max(Math.ceil((limit - start) / delta), 0);
      if (count > MAX_ELEMENTS) throw error(n, count + " elements are too many to fold");
      float[] v = new float[(int) count];
      for (int i = 0; i < v.length; i++) v[i] = start + i * delta;
      return Tensor.of(Shape.of(v.length), v);
    }
    long start = in[0].longs()[0];
    long limit = in[1].longs()[0];
    long delta = in[2].longs()[0];
    if (delta == 0) throw error(n, "delta 0");
    long count = Math.max(Math.floorDiv(limit - start + delta + (delta > 0 ? -1 : 1), delta), 0);
    if (count > MAX_ELEMENTS) throw error(n, count + " elements are too many to fold");
    long[] v = new long[(int) count];
    for (int i = 0; i < v.length; i++) v[i] = start + i * delta;
    return ints(Shape.of(v.length), v);
  }

  private static Shape broadcastShape(Node n, Tensor... ts) {
    Shape out = ts[0].shape();
    for (Tensor t : ts) {
      Shape b = Broadcast.multidirectional(out, t.shape());
      if (b == null) throw error(n, "shapes " + out + " and " + t.shape() + " do not broadcast");
      out = b;
    }
    return out;
  }

  private static void requireSameType(Node n, Tensor x, Tensor y) {
    if (x.dtype() != y.dtype())
      throw error(n, "inputs are " + x.dtype() + " and " + y.dtype() + ", not one type");
  }

  private static void requireType(Node n, Tensor x, DType t) {
    if (x.dtype() != t) throw error(n, "input is " + x.dtype() + ", not " + t);
  }

  private static Tensor compare(Node n, Tensor x, Tensor y) {
    requireSameType(n, x, y);
    Shape out = broadcastShape(n, x, y);
    Tensor bx = broadcastTo(x, out);
    Tensor by = broadcastTo(y, out);
    long[] v = new long[out.size()];
    String op = n.opType();
    for (int i = 0; i < v.length; i++) {
      int c =
          x.dtype() == DType.FLOAT
              ? Float.compare(bx.data()[i], by.data()[i])
              : Long.compare(bx.longs()[i], by.longs()[i]);
      boolean r =
          switch (op) {
            case "Equal" -> x.dtype() == DType.FLOAT ? bx.data()[i] == by.data()[i] : c == 0;
            case "Less" -> c < 0;
            case "Greater" -> c > 0;
            case "LessOrEqual" -> c <= 0;
            default -> c >= 0;
          };
      v[i] = r ? 1 : 0;
    }
    return Tensor.ofInts(DType.BOOL, out, v);
  }

  private static Tensor logic(Node n, Tensor x, Tensor y) {
    requireType(n, x, DType.BOOL);
    requireType(n, y, DType.BOOL);
    Shape out = broadcastShape(n, x, y);
    long[] a = broadcastTo(x, out).longs();
    long[] b = broadcastTo(y, out).longs();
    long[] v = new long[out.size()];
    boolean and = n.opType().equals("And");
    for (int i = 0; i < v.length; i++)
      v[i] = (and ? a[i] != 0 && b[i] != 0 : a[i] != 0 || b[i] != 0) ? 1 : 0;
    return Tensor.ofInts(DType.BOOL, out, v);
  }

  private static Tensor where(Node n, Tensor c, Tensor x, Tensor y) {
    requireType(n, c, DType.BOOL);
    requireSameType(n, x, y);
    Shape out = broadcastShape(n, c, x, y);
    long[] cond = broadcastTo(c, out).longs();
    Tensor bx = broadcastTo(x, out);
    Tensor by = broadcastTo(y, out);
    if (x.dtype() == DType.FLOAT) {
      float[] v = new float[out.size()];
      for (int i = 0; i < v.length; i++) v[i] = cond[i] != 0 ? bx.data()[i] : by.data()[i];
      return Tensor.of(out, v);
    }
    long[] v = new long[out.size()];
    for (int i = 0; i < v.length; i++) v[i] = cond[i] != 0 ? bx.longs()[i] : by.longs()[i];
    return Tensor.ofInts(x.dtype(), out, v);
  }

  private static Tensor cast(Node n, Tensor x, int to) {
    DType target =
        switch (to) {
          case 1 -> DType.FLOAT;
          case 6, 7 -> DType.INT64; // int32 values are held as int64
          case 9 -> DType.BOOL;
          default ->
              throw new UnsupportedException(
                  n.describe()
                      + ": casts to "
                      + DType.onnxName(to)
                      + "; featviz folds casts to float32, int32, int64 and bool");
        };
    if (target == DType.FLOAT) {
      if (x.dtype() == DType.FLOAT) return x;
      long[] l = x.longs();
      float[] v = new float[l.length];
      for (int i = 0; i < v.length; i++) v[i] = l[i];
      return Tensor.of(x.shape(), v);
    }
    long[] v = new long[x.size()];
    if (x.dtype() == DType.FLOAT) {
      float[] f = x.data();
      for (int i = 0; i < v.length; i++)
        v[i] = target == DType.BOOL ? (f[i] != 0 ? 1 : 0) : (long) f[i];
    } else {
      long[] l = x.longs();
      for (int i = 0; i < v.length; i++)
        v[i] = target == DType.BOOL ? (l[i] != 0 ? 1 : 0) : to == 6 ? (int) l[i] : l[i];
    }
    return Tensor.ofInts(target, x.shape(), v);
  }

  private static Tensor arithmetic(Node n, Tensor[] in) {
    String op = n.opType();
    if ((op.equals("Min") || op.equals("Max")) && in.length != 2) {
      Tensor acc = in[0];
      for (int i = 1; i < in.length; i++) acc = arithmetic(n, new Tensor[] {acc, in[i]});
      return acc;
    }
    Tensor x = in[0];
    Tensor y = in[1];
    requireSameType(n, x, y);
    if (x.dtype() == DType.BOOL) throw error(n, "inputs are bool");
    Shape out = broadcastShape(n, x, y);
    Tensor bx = broadcastTo(x, out);
    Tensor by = broadcastTo(y, out);
    if (x.dtype() == DType.FLOAT) {
      float[] a = bx.data();
      float[] b = by.data();
      float[] v = new float[out.size()];
      boolean fmod = n.attributes().getInt("fmod", 0) != 0;
      for (int i = 0; i < v.length; i++)
        v[i] =
            switch (op) {
              case "Add" -> a[i] + b[i];
              case "Sub" -> a[i] - b[i];
              case "Mul" -> a[i] * b[i];
              case "Div" -> a[i] / b[i];
              case "Min" -> Math.min(a[i], b[i]);
              case "Max" -> Math.max(a[i], b[i]);
              default -> {
                if (!fmod) throw error(n, "Mod of floats needs fmod = 1");
                yield a[i] % b[i];
              }
            };
      return Tensor.of(out, v);
    }
    long[] a = bx.longs();
    long[] b = by.longs();
    long[] v = new long[out.size()];
    boolean fmod = n.attributes().getInt("fmod", 0) != 0;
    for (int i = 0; i < v.length; i++) {
      if ((op.equals("Div") || op.equals("Mod")) && b[i] == 0)
        throw error(n, "integer division by zero");
      v[i] =
          switch (op) {
            case "Add" -> a[i] + b[i];
            case "Sub" -> a[i] - b[i];
            case "Mul" -> a[i] * b[i];
            case "Div" -> a[i] / b[i]; // truncates, as the ONNX reference's integer Div
            case "Min" -> Math.min(a[i], b[i]);
            case "Max" -> Math.max(a[i], b[i]);
            default -> fmod ? a[i] % b[i] : Math.floorMod(a[i], b[i]);
          };
    }
    return ints(out, v);
  }

  private static Tensor unary(Node n, Tensor x) {
    boolean neg = n.opType().equals("Neg");
    if (x.dtype() == DType.FLOAT) {
      float[] f = x.data();
      float[] v = new float[f.length];
      for (int i = 0; i < v.length; i++) v[i] = neg ? -f[i] : Math.abs(f[i]);
      return Tensor.of(x.shape(), v);
    }
    if (x.dtype() == DType.BOOL) throw error(n, "input is bool");
    long[] l = x.longs();
    long[] v = new long[l.length];
    for (int i = 0; i < v.length; i++) v[i] = neg ? -l[i] : Math.abs(l[i]);
    return ints(x.shape(), v);
  }

  private static Tensor reduceProd(Node n, int opset, Tensor[] in) {
    Tensor x = in[0];
    if (x.dtype() != DType.INT64) throw error(n, "folds int64 products only, not " + x.dtype());
    long[] axes = axes(n, opset, in, 18, null);
    boolean keep = n.attributes().getInt("keepdims", 1) != 0;
    Shape s = x.shape();
    boolean[] reduced = new boolean[s.rank()];
    if (axes == null || axes.length == 0) Arrays.fill(reduced, true);
    else for (long ax : axes) reduced[s.axis((int) ax, n.describe())] = true;
    List<Integer> dims = new ArrayList<>();
    int[] outDimsFull = new int[s.rank()];
    for (int d = 0; d < s.rank(); d++) {
      outDimsFull[d] = reduced[d] ? 1 : s.dim(d);
      if (!reduced[d] || keep) dims.add(outDimsFull[d]);
    }
    Shape full = Shape.of(outDimsFull);
    long[] v = new long[full.size()];
    Arrays.fill(v, 1);
    int[] fullStrides = full.strides();
    long[] l = x.longs();
    int[] strides = s.strides();
    for (int i = 0; i < l.length; i++) {
      int o = 0;
      for (int d = 0; d < s.rank(); d++) {
        int c = (i / strides[d]) % s.dim(d);
        if (!reduced[d]) o += c * fullStrides[d];
      }
      v[o] *= l[i];
    }
    return ints(Shape.of(dims.stream().mapToInt(Integer::intValue).toArray()), v);
  }
}
