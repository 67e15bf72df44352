// Sign-region maps of a layer's units over a grid on a plane (org.featviz.geometry.DeviceRegions).
// The units are affine on the plane: unit u at plane coordinates (s, t) is c[u] + s a[u] + t b[u],
// so a band of grid points is one GEMM, [P, 3] (rows 1, s, t) times [3, U] (rows c, a, b); these
// kernels write the points' coordinate rows and turn the GEMM's [P, U] values into sign patterns.
//
// plane_grid_points: points[p] = (1, s[x], t[first_row + y]) for p = y * width + x, p < rows * width.
//   Launch: grid (ceil(rows * width / 256)), block (256).
//
// sign_patterns: for each point p of values [P, U], the units' signs as bits (unit u positive: bit
//   u % 64 of word u / 64; 0 and NaN count as off, as a ReLU takes them) and two 64-bit hashes of the
//   words, hash_a[p] and hash_b[p]; with keep != 0 also the words, signs[p * words + w]. The hashes
//   are the ones SignRegions computes on the CPU, bit for bit, so both number regions alike.
//   One warp a point: the 32 lanes read 64 consecutive units (coalesced) and two ballots make a word.
//   Launch: grid (ceil(P / 8)), block (256) (8 warps), no dynamic shared memory.

extern "C" __global__ void plane_grid_points(const float* __restrict__ s, const float* __restrict__ t,
                                             float* __restrict__ points, int width, int first_row,
                                             int rows) {
  const long long p = (long long) blockIdx.x * blockDim.x + threadIdx.x;
  if (p >= (long long) rows * width) return;
  const int x = (int) (p % width);
  const int y = (int) (p / width);
  float* row = points + 3 * p;
  row[0] = 1.0f;
  row[1] = s[x];
  row[2] = t[first_row + y];
}

// A 64-bit finalizer (xor-shift-multiply), the one SignRegions.mix computes.
__device__ __forceinline__ unsigned long long mix64(unsigned long long z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

extern "C" __global__ void sign_patterns(const float* __restrict__ values, int points, int units,
                                         unsigned long long* __restrict__ hash_a,
                                         unsigned long long* __restrict__ hash_b,
                                         unsigned long long* __restrict__ signs, int keep) {
  const int lane = threadIdx.x & 31;
  const long long p = (long long) blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
  if (p >= points) return;  // a whole warp leaves together: the ballots below see full warps
  const float* v = values + p * units;
  const int words = (units + 63) / 64;
  unsigned long long a = 0x243F6A8885A308D3ULL;
  unsigned long long b = 0x13198A2E03707344ULL;
  for (int w = 0; w < words; w++) {
    const int lo = w * 64 + lane;
    const int hi = lo + 32;
    const unsigned low = __ballot_sync(0xffffffffu, lo < units && v[lo] > 0.0f);
    const unsigned high = __ballot_sync(0xffffffffu, hi < units && v[hi] > 0.0f);
    const unsigned long long bits = ((unsigned long long) high << 32) | low;
    a = mix64(a ^ bits) + (unsigned long long) w;
    b = mix64(b + bits * 0x9E3779B97F4A7C15ULL) ^ (unsigned long long) w;
    if (keep && lane == 0) signs[p * words + w] = bits;
  }
  if (lane == 0) {
    hash_a[p] = mix64(a);
    hash_b[p] = mix64(b ^ 0x452821E638D01377ULL);
  }
}
