/*
 * layernas wasm SIMD gradient kernels: shared helpers.
 *
 * All tensors are float32, NHWC, dense. Filters use the TensorFlow layouts the tfjs kernels receive:
 *   conv2d:     [KH, KW, Cin, Cout]
 *   depthwise:  [KH, KW, C, M]   (M = channel multiplier)
 * Padding is given explicitly as (pad_top, pad_left); output sizes are passed in, so SAME / VALID /
 * explicit padding are all resolved by the caller (tfjs' computeConv2DInfo).
 *
 * The module is built as a position-independent side module (see scripts/build-wasm-kernels.mjs): it
 * imports the tfjs wasm backend's linear memory, so every pointer here is an address inside the tfjs heap
 * and no tensor is copied.
 */
#ifndef LAYERNAS_WASM_KERNELS_H
#define LAYERNAS_WASM_KERNELS_H

#include <wasm_simd128.h>

#define LN_EXPORT(name) __attribute__((export_name(#name))) __attribute__((used))
#define LN_INLINE static inline __attribute__((always_inline))

typedef v128_t f32x4;

LN_INLINE f32x4 ld(const float *p) { return wasm_v128_load(p); }
LN_INLINE void st(float *p, f32x4 v) { wasm_v128_store(p, v); }
LN_INLINE f32x4 splat(float x) { return wasm_f32x4_splat(x); }
LN_INLINE f32x4 madd(f32x4 acc, f32x4 a, f32x4 b) { return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b)); }

LN_INLINE void zero_floats(float *p, int n) {
  int i = 0;
  f32x4 z = wasm_f32x4_splat(0.0f);
  for (; i + 4 <= n; i += 4) st(p + i, z);
  for (; i < n; i++) p[i] = 0.0f;
}

LN_INLINE int imax(int a, int b) { return a > b ? a : b; }
LN_INLINE int imin(int a, int b) { return a < b ? a : b; }

/* Smallest o >= 0 with o*s + k - pad >= 0. */
LN_INLINE int first_valid_out(int k, int pad, int s) {
  int d = pad - k; /* need o*s >= d */
  if (d <= 0) return 0;
  return (d + s - 1) / s;
}

/* One past the largest o with o*s + k - pad <= in - 1, clamped to [0, out]. */
LN_INLINE int end_valid_out(int k, int pad, int s, int in, int out) {
  int d = in - 1 + pad - k; /* need o*s <= d */
  if (d < 0) return 0;
  return imin(out, d / s + 1);
}

#endif
