/*
 * Dense conv2d gradients (NHWC, filter [KH, KW, Cin, Cout], dilation 1).
 *
 *   conv2d_backprop_filter: dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*sh+kh-pt, ow*sw+kw-pl, ci] * dy[n,oh,ow,co]
 *   conv2d_backprop_input:  dx[n,ih,iw,ci]  = sum over taps/co of dy[n,oh,ow,co] * W[kh,kw,ci,co]
 *
 * For each filter tap (kh, kw) both are small GEMMs over "row segments": the output pixels of one
 * output row whose input pixel is inside the image. A 1x1 / stride 1 / no-pad conv is one segment
 * covering every pixel. Register tiles: filter grad 4(ci) x 8(co), input grad 4(pixels) x 8(ci).
 */
#include "kernels.h"

/* C[cin x cout] += sum_{i<n} A_i^T B_i, with A_i = a + i*as (cin floats) and B_i = b + i*bs (cout floats). */
static void fgrad_segment(const float *a, int as, const float *b, int bs, int n, float *c, int cin, int cout) {
  int ci = 0;
  for (; ci + 4 <= cin; ci += 4) {
    float *c0 = c + ci * cout, *c1 = c0 + cout, *c2 = c1 + cout, *c3 = c2 + cout;
    int co = 0;
    for (; co + 8 <= cout; co += 8) {
      f32x4 r00 = ld(c0 + co), r01 = ld(c0 + co + 4), r10 = ld(c1 + co), r11 = ld(c1 + co + 4);
      f32x4 r20 = ld(c2 + co), r21 = ld(c2 + co + 4), r30 = ld(c3 + co), r31 = ld(c3 + co + 4);
      const float *ap = a + ci, *bp = b + co;
      for (int i = 0; i < n; i++, ap += as, bp += bs) {
        f32x4 b0 = ld(bp), b1 = ld(bp + 4);
        f32x4 a0 = splat(ap[0]), a1 = splat(ap[1]), a2 = splat(ap[2]), a3 = splat(ap[3]);
        r00 = madd(r00, a0, b0); r01 = madd(r01, a0, b1);
        r10 = madd(r10, a1, b0); r11 = madd(r11, a1, b1);
        r20 = madd(r20, a2, b0); r21 = madd(r21, a2, b1);
        r30 = madd(r30, a3, b0); r31 = madd(r31, a3, b1);
      }
      st(c0 + co, r00); st(c0 + co + 4, r01); st(c1 + co, r10); st(c1 + co + 4, r11);
      st(c2 + co, r20); st(c2 + co + 4, r21); st(c3 + co, r30); st(c3 + co + 4, r31);
    }
    for (; co + 4 <= cout; co += 4) {
      f32x4 r0 = ld(c0 + co), r1 = ld(c1 + co), r2 = ld(c2 + co), r3 = ld(c3 + co);
      const float *ap = a + ci, *bp = b + co;
      for (int i = 0; i < n; i++, ap += as, bp += bs) {
        f32x4 b0 = ld(bp);
        r0 = madd(r0, splat(ap[0]), b0); r1 = madd(r1, splat(ap[1]), b0);
        r2 = madd(r2, splat(ap[2]), b0); r3 = madd(r3, splat(ap[3]), b0);
      }
      st(c0 + co, r0); st(c1 + co, r1); st(c2 + co, r2); st(c3 + co, r3);
    }
    for (; co < cout; co++) {
      float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      const float *ap = a + ci, *bp = b + co;
      for (int i = 0; i < n; i++, ap += as, bp += bs) {
        float bv = bp[0];
        s0 += ap[0] * bv; s1 += ap[1] * bv; s2 += ap[2] * bv; s3 += ap[3] * bv;
      }
      c0[co] += s0; c1[co] += s1; c2[co] += s2; c3[co] += s3;
    }
  }
  for (; ci < cin; ci++) {
    float *c0 = c + ci * cout;
    int co = 0;
    for (; co + 8 <= cout; co += 8) {
      f32x4 r0 = ld(c0 + co), r1 = ld(c0 + co + 4);
      const float *ap = a + ci, *bp = b + co;
      for (int i = 0; i < n; i++, ap += as, bp += bs) {
        f32x4 av = splat(ap[0]);
        r0 = madd(r0, av, ld(bp)); r1 = madd(r1, av, ld(bp + 4));
      }
      st(c0 + co, r0); st(c0 + co + 4, r1);
    }
    for (; co + 4 <= cout; co += 4) {
      f32x4 r0 = ld(c0 + co);
      const float *ap = a + ci, *bp = b + co;
      for (int i = 0; i < n; i++, ap += as, bp += bs) r0 = madd(r0, splat(ap[0]), ld(bp));
      st(c0 + co, r0);
    }
    for (; co < cout; co++) {
      float s = 0;
      const float *ap = a + ci, *bp = b + co;
      for (int i = 0; i < n; i++, ap += as, bp += bs) s += ap[0] * bp[0];
      c0[co] += s;
    }
  }
}

/* D_i[0..cin) += B_i[0..cout) * Wt for i<n, with Wt [cout x cin] row-major, D_i = d + i*ds, B_i = b + i*bs. */
static void igrad_segment(float *d, int ds, const float *b, int bs, int n, const float *wt, int cin, int cout) {
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    float *d0 = d + i * ds, *d1 = d0 + ds, *d2 = d1 + ds, *d3 = d2 + ds;
    const float *b0 = b + i * bs, *b1 = b0 + bs, *b2 = b1 + bs, *b3 = b2 + bs;
    int ci = 0;
    for (; ci + 8 <= cin; ci += 8) {
      f32x4 r00 = ld(d0 + ci), r01 = ld(d0 + ci + 4), r10 = ld(d1 + ci), r11 = ld(d1 + ci + 4);
      f32x4 r20 = ld(d2 + ci), r21 = ld(d2 + ci + 4), r30 = ld(d3 + ci), r31 = ld(d3 + ci + 4);
      const float *w = wt + ci;
      for (int co = 0; co < cout; co++, w += cin) {
        f32x4 w0 = ld(w), w1 = ld(w + 4);
        f32x4 s0 = splat(b0[co]), s1 = splat(b1[co]), s2 = splat(b2[co]), s3 = splat(b3[co]);
        r00 = madd(r00, s0, w0); r01 = madd(r01, s0, w1);
        r10 = madd(r10, s1, w0); r11 = madd(r11, s1, w1);
        r20 = madd(r20, s2, w0); r21 = madd(r21, s2, w1);
        r30 = madd(r30, s3, w0); r31 = madd(r31, s3, w1);
      }
      st(d0 + ci, r00); st(d0 + ci + 4, r01); st(d1 + ci, r10); st(d1 + ci + 4, r11);
      st(d2 + ci, r20); st(d2 + ci + 4, r21); st(d3 + ci, r30); st(d3 + ci + 4, r31);
    }
    for (; ci + 4 <= cin; ci += 4) {
      f32x4 r0 = ld(d0 + ci), r1 = ld(d1 + ci), r2 = ld(d2 + ci), r3 = ld(d3 + ci);
      const float *w = wt + ci;
      for (int co = 0; co < cout; co++, w += cin) {
        f32x4 w0 = ld(w);
        r0 = madd(r0, splat(b0[co]), w0); r1 = madd(r1, splat(b1[co]), w0);
        r2 = madd(r2, splat(b2[co]), w0); r3 = madd(r3, splat(b3[co]), w0);
      }
      st(d0 + ci, r0); st(d1 + ci, r1); st(d2 + ci, r2); st(d3 + ci, r3);
    }
    for (; ci < cin; ci++) {
      float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      const float *w = wt + ci;
      for (int co = 0; co < cout; co++, w += cin) {
        float wv = w[0];
        s0 += b0[co] * wv; s1 += b1[co] * wv; s2 += b2[co] * wv; s3 += b3[co] * wv;
      }
      d0[ci] += s0; d1[ci] += s1; d2[ci] += s2; d3[ci] += s3;
    }
  }
  for (; i < n; i++) {
    float *d0 = d + i * ds;
    const float *b0 = b + i * bs;
    int ci = 0;
    for (; ci + 8 <= cin; ci += 8) {
      f32x4 r0 = ld(d0 + ci), r1 = ld(d0 + ci + 4);
      const float *w = wt + ci;
      for (int co = 0; co < cout; co++, w += cin) {
        f32x4 s = splat(b0[co]);
        r0 = madd(r0, s, ld(w)); r1 = madd(r1, s, ld(w + 4));
      }
      st(d0 + ci, r0); st(d0 + ci + 4, r1);
    }
    for (; ci + 4 <= cin; ci += 4) {
      f32x4 r0 = ld(d0 + ci);
      const float *w = wt + ci;
      for (int co = 0; co < cout; co++, w += cin) r0 = madd(r0, splat(b0[co]), ld(w));
      st(d0 + ci, r0);
    }
    for (; ci < cin; ci++) {
      float s = 0;
      const float *w = wt + ci;
      for (int co = 0; co < cout; co++, w += cin) s += b0[co] * w[0];
      d0[ci] += s;
    }
  }
}

static int is_pointwise_same(int H, int W, int OH, int OW, int KH, int KW, int sh, int sw, int pt, int pl) {
  return KH == 1 && KW == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && OH == H && OW == W;
}

enum { PIXEL_CHUNK = 256 };

LN_EXPORT(conv2d_backprop_filter)
void conv2d_backprop_filter(const float *x, const float *dy, float *dw, int N, int H, int W, int cin, int OH, int OW,
                            int cout, int KH, int KW, int sh, int sw, int pt, int pl) {
  zero_floats(dw, KH * KW * cin * cout);
  if (is_pointwise_same(H, W, OH, OW, KH, KW, sh, sw, pt, pl)) {
    int P = N * H * W;
    for (int p0 = 0; p0 < P; p0 += PIXEL_CHUNK)
      fgrad_segment(x + p0 * cin, cin, dy + p0 * cout, cout, imin(PIXEL_CHUNK, P - p0), dw, cin, cout);
    return;
  }
  for (int kh = 0; kh < KH; kh++) {
    int oh0 = first_valid_out(kh, pt, sh), oh1 = end_valid_out(kh, pt, sh, H, OH);
    for (int kw = 0; kw < KW; kw++) {
      int ow0 = first_valid_out(kw, pl, sw), ow1 = end_valid_out(kw, pl, sw, W, OW);
      if (oh1 <= oh0 || ow1 <= ow0) continue;
      float *c = dw + (kh * KW + kw) * cin * cout;
      for (int n = 0; n < N; n++)
        for (int oh = oh0; oh < oh1; oh++) {
          int ih = oh * sh + kh - pt;
          const float *a = x + ((n * H + ih) * W + ow0 * sw + kw - pl) * cin;
          const float *b = dy + ((n * OH + oh) * OW + ow0) * cout;
          fgrad_segment(a, sw * cin, b, cout, ow1 - ow0, c, cin, cout);
        }
    }
  }
}

/* wt_scratch: KH*KW*cin*cout floats, receives the filter transposed to [KH, KW, Cout, Cin]. */
LN_EXPORT(conv2d_backprop_input)
void conv2d_backprop_input(const float *dy, const float *w, float *dx, float *wt_scratch, int N, int H, int W, int cin,
                           int OH, int OW, int cout, int KH, int KW, int sh, int sw, int pt, int pl) {
  int taps = KH * KW;
  for (int t = 0; t < taps; t++) {
    const float *src = w + t * cin * cout;
    float *dst = wt_scratch + t * cin * cout;
    for (int ci = 0; ci < cin; ci++)
      for (int co = 0; co < cout; co++) dst[co * cin + ci] = src[ci * cout + co];
  }
  zero_floats(dx, N * H * W * cin);
  if (is_pointwise_same(H, W, OH, OW, KH, KW, sh, sw, pt, pl)) {
    igrad_segment(dx, cin, dy, cout, N * H * W, wt_scratch, cin, cout);
    return;
  }
  for (int kh = 0; kh < KH; kh++) {
    int oh0 = first_valid_out(kh, pt, sh), oh1 = end_valid_out(kh, pt, sh, H, OH);
    for (int kw = 0; kw < KW; kw++) {
      int ow0 = first_valid_out(kw, pl, sw), ow1 = end_valid_out(kw, pl, sw, W, OW);
      if (oh1 <= oh0 || ow1 <= ow0) continue;
      const float *wt = wt_scratch + (kh * KW + kw) * cin * cout;
      for (int n = 0; n < N; n++)
        for (int oh = oh0; oh < oh1; oh++) {
          int ih = oh * sh + kh - pt;
          float *d = dx + ((n * H + ih) * W + ow0 * sw + kw - pl) * cin;
          const float *b = dy + ((n * OH + oh) * OW + ow0) * cout;
          igrad_segment(d, sw * cin, b, cout, ow1 - ow0, wt, cin, cout);
        }
    }
  }
}

/*
 * Matrix products for the gradients of a 2-D/3-D matMul (tfjs BatchMatMul with one operand transposed), which the
 * stock wasm kernel runs slowly. Batch strides (in floats) may be 0 to broadcast an operand over the batch.
 *   matmul_at_b: out[M x N] = A^T B with A stored [K x M], B [K x N]      (dW = x^T dy)
 *   matmul_a_bt: out[M x N] = A B^T with A stored [M x K], B [N x K]      (dx = dy W^T); scratch K*N floats
 */
LN_EXPORT(matmul_at_b)
void matmul_at_b(const float *a, const float *b, float *out, int batch, int M, int K, int N, int sa, int sb) {
  for (int bi = 0; bi < batch; bi++) {
    float *o = out + bi * M * N;
    const float *ab = a + bi * sa, *bb = b + bi * sb;
    zero_floats(o, M * N);
    for (int k0 = 0; k0 < K; k0 += PIXEL_CHUNK)
      fgrad_segment(ab + k0 * M, M, bb + k0 * N, N, imin(PIXEL_CHUNK, K - k0), o, M, N);
  }
}

LN_EXPORT(matmul_a_bt)
void matmul_a_bt(const float *a, const float *b, float *out, float *scratch, int batch, int M, int K, int N, int sa,
                 int sb) {
  for (int bi = 0; bi < batch; bi++) {
    float *o = out + bi * M * N;
    const float *ab = a + bi * sa, *bb = b + bi * sb;
    if (bi == 0 || sb != 0)
      for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++) scratch[k * N + n] = bb[n * K + k];
    zero_floats(o, M * N);
    igrad_segment(o, N, ab, K, M, scratch, N, K);
  }
}
