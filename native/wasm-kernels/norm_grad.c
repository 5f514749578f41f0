/*
 * Element-wise / per-channel kernels that dominate a training step once the convolutions are fast:
 * the batch-norm gradient (one fused kernel instead of ~15 tfjs ops incl. a full-size Tile), reductions over
 * the leading axes of an NHWC tensor (tfjs-wasm transposes first), and the Relu6 gradient.
 * Tensors are viewed as [P, C] with C the innermost (channel) axis.
 */
#include "kernels.h"

/* out[c] = sum_p x[p*C + c] (scale 1) or the mean (scale 1/P). */
LN_EXPORT(reduce_leading)
void reduce_leading(const float *x, float *out, int P, int C, float scale) {
  zero_floats(out, C);
  int p = 0;
  for (; p < P; p++) {
    const float *row = x + p * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) st(out + c, wasm_f32x4_add(ld(out + c), ld(row + c)));
    for (; c < C; c++) out[c] += row[c];
  }
  if (scale != 1.0f)
    for (int c = 0; c < C; c++) out[c] *= scale;
}

/*
 * Gradient of y = (x - mean) * rsqrt(var + eps) * scale + offset w.r.t. each input, with mean/var/scale/offset
 * per channel (mean and var treated as independent inputs, exactly like tfjs' FusedBatchNorm gradient):
 *   dx = dy * scale * r                         r = rsqrt(var + eps)
 *   dmean = -r * scale * sum(dy)                dvar = -0.5 * r^3 * scale * sum(dy * (x - mean))
 *   dscale = r * sum(dy * (x - mean))           doffset = sum(dy)
 * scale may be 0 (absent): treated as 1.
 */
LN_EXPORT(batchnorm_grad)
void batchnorm_grad(const float *x, const float *dy, const float *mean, const float *var, const float *scale, float eps,
                    int P, int C, float *dx, float *dmean, float *dvar, float *dscale, float *doffset) {
  zero_floats(doffset, C);
  zero_floats(dscale, C);
  for (int p = 0; p < P; p++) {
    const float *xr = x + p * C, *dr = dy + p * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      f32x4 d = ld(dr + c);
      st(doffset + c, wasm_f32x4_add(ld(doffset + c), d));
      st(dscale + c, madd(ld(dscale + c), d, wasm_f32x4_sub(ld(xr + c), ld(mean + c))));
    }
    for (; c < C; c++) {
      doffset[c] += dr[c];
      dscale[c] += dr[c] * (xr[c] - mean[c]);
    }
  }
  /* per-channel factors; dmean temporarily holds scale * r for the dx pass */
  for (int c = 0; c < C; c++) {
    float r = 1.0f / __builtin_sqrtf(var[c] + eps);
    float s = scale ? scale[c] : 1.0f;
    float sdy = doffset[c], sdyx = dscale[c];
    dvar[c] = -0.5f * r * r * r * s * sdyx;
    dscale[c] = r * sdyx;
    dmean[c] = s * r;
    (void)sdy;
  }
  for (int p = 0; p < P; p++) {
    const float *dr = dy + p * C;
    float *o = dx + p * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) st(o + c, wasm_f32x4_mul(ld(dr + c), ld(dmean + c)));
    for (; c < C; c++) o[c] = dr[c] * dmean[c];
  }
  for (int c = 0; c < C; c++) dmean[c] = -dmean[c] * doffset[c];
}

/* dx = dy where 0 < x <= 6, else 0 (tfjs: dy * (x <= 6) * step(x)). */
LN_EXPORT(relu6_grad)
void relu6_grad(const float *dy, const float *x, float *dx, int n) {
  f32x4 zero = splat(0.0f), six = splat(6.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    f32x4 xv = ld(x + i);
    v128_t mask = wasm_v128_and(wasm_f32x4_gt(xv, zero), wasm_f32x4_le(xv, six));
    st(dx + i, wasm_v128_and(ld(dy + i), mask));
  }
  for (; i < n; i++) dx[i] = (x[i] > 0.0f && x[i] <= 6.0f) ? dy[i] : 0.0f;
}

/* out[p*C + c] = v[c] * scale: the gradient of a leading-axes Mean (scale 1/P) or Sum (scale 1). */
LN_EXPORT(broadcast_leading)
void broadcast_leading(const float *v, float *out, int P, int C, float scale) {
  for (int p = 0; p < P; p++) {
    float *o = out + p * C;
    int c = 0;
    f32x4 s = splat(scale);
    for (; c + 4 <= C; c += 4) st(o + c, wasm_f32x4_mul(ld(v + c), s));
    for (; c < C; c++) o[c] = v[c] * scale;
  }
}

/* out = a * b * s (same shapes): the gradient of Square is dy * x * 2. */
LN_EXPORT(mul_scaled)
void mul_scaled(const float *a, const float *b, float *out, int n, float s) {
  f32x4 sv = splat(s);
  int i = 0;
  for (; i + 4 <= n; i += 4) st(out + i, wasm_f32x4_mul(wasm_f32x4_mul(ld(a + i), ld(b + i)), sv));
  for (; i < n; i++) out[i] = a[i] * b[i] * s;
}

/* y = (x - mean) * rsqrt(var + eps) * scale + offset per channel, in one pass; scale/offset may be 0 (absent).
 * ab: 2*C floats of scratch for the per-channel affine factors. */
LN_EXPORT(batchnorm_forward)
void batchnorm_forward(const float *x, const float *mean, const float *var, const float *scale, const float *offset,
                       float eps, int P, int C, float *y, float *ab) {
  float *a = ab, *b = ab + C;
  for (int c = 0; c < C; c++) {
    a[c] = (scale ? scale[c] : 1.0f) / __builtin_sqrtf(var[c] + eps);
    b[c] = (offset ? offset[c] : 0.0f) - mean[c] * a[c];
  }
  for (int p = 0; p < P; p++) {
    const float *xr = x + p * C;
    float *yr = y + p * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) st(yr + c, madd(ld(b + c), ld(xr + c), ld(a + c)));
    for (; c < C; c++) yr[c] = xr[c] * a[c] + b[c];
  }
}
