// MaxPool and AveragePool with ONNX's full window geometry, for the windows cuDNN's pooling cannot express: dilated
// windows (cuDNN pools without dilation) and max pooling whose padding is as wide as the window. ONNX semantics
// throughout, as the CPU reference (MaxPoolRef, AveragePoolRef) computes them: asymmetric pads, ceil_mode (the
// output size says how far the last window reaches), count_include_pad.
//
// Shape legend: P = N x C planes; per plane an input ID x IH x IW and an output OD x OH x OW, row-major (1-D and
// 2-D pooling put unit axes in front: size 1, kernel 1, stride 1, dilation 1, no padding). Per axis a, window o
// reads the taps i = o s[a] - pb[a] + j dil[a], j = 0 .. k[a]-1, in window order (d, h, w; j ascending); taps
// outside [0, in[a]) are padding.
//
// mode 0 MAX:                  y = the first maximum of the taps inside the input, in window order, or the first
//                              NaN tap (NaN propagates, as MaxPoolRef and cuDNN's CUDNN_PROPAGATE_NAN); 0 where
//                              no tap is inside
// mode 1 AVERAGE_EXCLUDE_PAD:  y = (sum of the taps inside, in window order) / (their number); 0 where none
// mode 2 AVERAGE_INCLUDE_PAD:  the same sum / (the taps inside [-pb, in + pe) on every axis: the padded input; taps
//                              that ceil_mode pushes past the end padding do not count)
//
// pool_forward:   y [P, OD, OH, OW] from x [P, ID, IH, IW]; one thread per output element.
// pool_backward:  dx [P, ID, IH, IW] (= or += with accumulate) from dy [P, OD, OH, OW] and x (max pooling
//                 recomputes each window's argmax from x; averages do not read x). A gather, not a scatter: each
//                 input element visits the windows that contain it, in increasing output order, so it sums the same
//                 terms in the same order as the CPU reference's scatter, needs no atomics and no cleared dx.
//                 One thread per input element.
// Launch (both): any 1-D grid and block; a grid-stride loop covers the elements.

// The geometry of one launch, unpacked from the kernel arguments.
struct PoolGeometry {
  int in[3];
  int out[3];
  int k[3];
  int s[3];
  int dil[3];
  int pb[3];
  int pe[3];
};

static __device__ __forceinline__ PoolGeometry pool_geometry(int id, int ih, int iw, int od, int oh, int ow, int kd,
                                                             int kh, int kw, int sd, int sh, int sw, int dd, int dh,
                                                             int dw, int pbd, int pbh, int pbw, int ped, int peh,
                                                             int pew) {
  PoolGeometry g;
  g.in[0] = id;  g.in[1] = ih;  g.in[2] = iw;
  g.out[0] = od; g.out[1] = oh; g.out[2] = ow;
  g.k[0] = kd;   g.k[1] = kh;   g.k[2] = kw;
  g.s[0] = sd;   g.s[1] = sh;   g.s[2] = sw;
  g.dil[0] = dd; g.dil[1] = dh; g.dil[2] = dw;
  g.pb[0] = pbd; g.pb[1] = pbh; g.pb[2] = pbw;
  g.pe[0] = ped; g.pe[1] = peh; g.pe[2] = pew;
  return g;
}

// Calls visit(at) for every tap of window (o0, o1, o2) that is inside the input, in window order, with the tap's
// offset in its plane; stops at the first tap for which visit returns false.
template <typename Visit>
static __device__ __forceinline__ void pool_taps(const PoolGeometry& g, int o0, int o1, int o2, Visit visit) {
  for (int j0 = 0; j0 < g.k[0]; j0++) {
    const int i0 = o0 * g.s[0] - g.pb[0] + j0 * g.dil[0];
    if (i0 < 0 || i0 >= g.in[0]) continue;
    for (int j1 = 0; j1 < g.k[1]; j1++) {
      const int i1 = o1 * g.s[1] - g.pb[1] + j1 * g.dil[1];
      if (i1 < 0 || i1 >= g.in[1]) continue;
      for (int j2 = 0; j2 < g.k[2]; j2++) {
        const int i2 = o2 * g.s[2] - g.pb[2] + j2 * g.dil[2];
        if (i2 < 0 || i2 >= g.in[2]) continue;
        if (!visit((i0 * g.in[1] + i1) * g.in[2] + i2)) return;
      }
    }
  }
}

// The first maximum (or the first NaN) of window (o0, o1, o2) of one plane: its offset in the plane, or -1 where no
// tap is inside.
static __device__ int pool_argmax(const float* __restrict__ plane, const PoolGeometry& g, int o0, int o1, int o2) {
  int arg = -1;
  float best = 0.0f;
  pool_taps(g, o0, o1, o2, [&](int at) {
    const float v = plane[at];
    if (v != v) {  // NaN
      arg = at;
      return false;
    }
    if (arg < 0 || v > best) {
      arg = at;
      best = v;
    }
    return true;
  });
  return arg;
}

// The sum of the taps of window (o0, o1, o2) of one plane that are inside the input, in window order.
static __device__ float pool_window_sum(const float* __restrict__ plane, const PoolGeometry& g, int o0, int o1,
                                        int o2) {
  float sum = 0.0f;
  pool_taps(g, o0, o1, o2, [&](int at) {
    sum += plane[at];
    return true;
  });
  return sum;
}

// Element e of a [P, D0, D1, D2] tensor (dims = D0, D1, D2): its plane, its offset in the plane and its coordinates.
struct PoolElement {
  int plane;
  int at;
  int c[3];
};

static __device__ __forceinline__ PoolElement pool_element(int e, const int* dims) {
  const int size = dims[0] * dims[1] * dims[2];
  PoolElement r;
  r.plane = e / size;
  r.at = e % size;
  r.c[2] = r.at % dims[2];
  r.c[1] = (r.at / dims[2]) % dims[1];
  r.c[0] = r.at / (dims[2] * dims[1]);
  return r;
}

// The divisor of an average over window (o0, o1, o2): its taps inside the input (include_pad 0) or inside the
// padded input (include_pad 1).
static __device__ int pool_divisor(const PoolGeometry& g, int o0, int o1, int o2, int include_pad) {
  const int o[3] = {o0, o1, o2};
  int count = 1;
  for (int a = 0; a < 3; a++) {
    const int lo = include_pad ? -g.pb[a] : 0;
    const int hi = include_pad ? g.in[a] + g.pe[a] : g.in[a];
    int n = 0;
    for (int j = 0; j < g.k[a]; j++) {
      const int i = o[a] * g.s[a] - g.pb[a] + j * g.dil[a];
      if (i >= lo && i < hi) n++;
    }
    count *= n;
  }
  return count;
}

extern "C" __global__ void pool_forward(const float* __restrict__ x, float* __restrict__ y, int planes, int mode,
                                        int id, int ih, int iw, int od, int oh, int ow, int kd, int kh, int kw,
                                        int sd, int sh, int sw, int dd, int dh, int dw, int pbd, int pbh, int pbw,
                                        int ped, int peh, int pew) {
  const PoolGeometry g = pool_geometry(id, ih, iw, od, oh, ow, kd, kh, kw, sd, sh, sw, dd, dh, dw, pbd, pbh, pbw,
                                       ped, peh, pew);
  const int n = planes * od * oh * ow;
  for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < n; e += gridDim.x * blockDim.x) {
    const PoolElement o = pool_element(e, g.out);
    const float* plane = x + (size_t)o.plane * id * ih * iw;
    if (mode == 0) {
      const int arg = pool_argmax(plane, g, o.c[0], o.c[1], o.c[2]);
      y[e] = arg < 0 ? 0.0f : plane[arg];
    } else {
      const float sum = pool_window_sum(plane, g, o.c[0], o.c[1], o.c[2]);
      const int divisor = pool_divisor(g, o.c[0], o.c[1], o.c[2], mode == 2);
      y[e] = divisor == 0 ? 0.0f : sum / (float)divisor;
    }
  }
}

// The output index along axis a whose tap j reads input index i, or -1 where none does.
static __device__ __forceinline__ int pool_window_of(const PoolGeometry& g, int a, int i, int j) {
  const int t = i + g.pb[a] - j * g.dil[a];
  if (t < 0 || t % g.s[a] != 0) return -1;
  const int o = t / g.s[a];
  return o < g.out[a] ? o : -1;
}

extern "C" __global__ void pool_backward(const float* __restrict__ x, const float* __restrict__ dy,
                                         float* __restrict__ dx, int planes, int mode, int accumulate, int id,
                                         int ih, int iw, int od, int oh, int ow, int kd, int kh, int kw, int sd,
                                         int sh, int sw, int dd, int dh, int dw, int pbd, int pbh, int pbw, int ped,
                                         int peh, int pew) {
  const PoolGeometry g = pool_geometry(id, ih, iw, od, oh, ow, kd, kh, kw, sd, sh, sw, dd, dh, dw, pbd, pbh, pbw,
                                       ped, peh, pew);
  const int n = planes * id * ih * iw;
  for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < n; e += gridDim.x * blockDim.x) {
    const PoolElement in = pool_element(e, g.in);
    const int at = in.at;
    const float* plane = x + (size_t)in.plane * id * ih * iw;
    const float* grad = dy + (size_t)in.plane * od * oh * ow;
    float sum = 0.0f;
    // Taps from last to first: the windows come in increasing output order, as the reference adds them.
    for (int j0 = kd - 1; j0 >= 0; j0--) {
      const int o0 = pool_window_of(g, 0, in.c[0], j0);
      if (o0 < 0) continue;
      for (int j1 = kh - 1; j1 >= 0; j1--) {
        const int o1 = pool_window_of(g, 1, in.c[1], j1);
        if (o1 < 0) continue;
        for (int j2 = kw - 1; j2 >= 0; j2--) {
          const int o2 = pool_window_of(g, 2, in.c[2], j2);
          if (o2 < 0) continue;
          const float d = grad[(o0 * oh + o1) * ow + o2];
          if (mode == 0) {
            if (pool_argmax(plane, g, o0, o1, o2) == at) sum += d;
          } else {
            const int divisor = pool_divisor(g, o0, o1, o2, mode == 2);
            if (divisor != 0) sum += d / (float)divisor;
          }
        }
      }
    }
    dx[e] = accumulate ? dx[e] + sum : sum;
  }
}
