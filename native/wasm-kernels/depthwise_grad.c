/*
 * Depthwise conv2d gradients (NHWC, filter [KH, KW, C, M], output channels C*M, dilation 1).
 *
 *   depthwise_backprop_filter: dW[kh,kw,c,m] = sum_{n,oh,ow} x[n, oh*sh+kh-pt, ow*sw+kw-pl, c] * dy[n,oh,ow,c*M+m]
 *   depthwise_backprop_input:  dx[n,ih,iw,c]  = sum_{taps,m} dy[n,oh,ow,c*M+m] * W[kh,kw,c,m]
 *
 * M == 1 (every MobileNet-style block) uses SIMD over channels; other multipliers take a plain loop.
 * The input gradient is computed as a gather: for each input pixel the list of (output pixel, tap)
 * pairs that read it is built once, then channels are accumulated in registers and stored once.
 */
#include "kernels.h"

static void filter_taps_m1(const float *xs, int xstep, const float *ds, int cnt, float *d, int C) {
  int c = 0;
  for (; c + 16 <= C; c += 16) {
    f32x4 a0 = ld(d + c), a1 = ld(d + c + 4), a2 = ld(d + c + 8), a3 = ld(d + c + 12);
    const float *xp = xs + c, *dp = ds + c;
    for (int j = 0; j < cnt; j++, xp += xstep, dp += C) {
      a0 = madd(a0, ld(xp), ld(dp));
      a1 = madd(a1, ld(xp + 4), ld(dp + 4));
      a2 = madd(a2, ld(xp + 8), ld(dp + 8));
      a3 = madd(a3, ld(xp + 12), ld(dp + 12));
    }
    st(d + c, a0); st(d + c + 4, a1); st(d + c + 8, a2); st(d + c + 12, a3);
  }
  for (; c + 4 <= C; c += 4) {
    f32x4 a0 = ld(d + c);
    const float *xp = xs + c, *dp = ds + c;
    for (int j = 0; j < cnt; j++, xp += xstep, dp += C) a0 = madd(a0, ld(xp), ld(dp));
    st(d + c, a0);
  }
  for (; c < C; c++) {
    float s = 0;
    const float *xp = xs + c, *dp = ds + c;
    for (int j = 0; j < cnt; j++, xp += xstep, dp += C) s += xp[0] * dp[0];
    d[c] += s;
  }
}

LN_EXPORT(depthwise_backprop_filter)
void depthwise_backprop_filter(const float *x, const float *dy, float *dw, int N, int H, int W, int C, int M, int OH,
                               int OW, int KH, int KW, int sh, int sw, int pt, int pl) {
  int CM = C * M;
  zero_floats(dw, KH * KW * CM);
  for (int n = 0; n < N; n++)
    for (int oh = 0; oh < OH; oh++) {
      const float *dyrow = dy + (n * OH + oh) * OW * CM;
      for (int kh = 0; kh < KH; kh++) {
        int ih = oh * sh + kh - pt;
        if (ih < 0 || ih >= H) continue;
        const float *xrow = x + (n * H + ih) * W * C;
        for (int kw = 0; kw < KW; kw++) {
          int ow0 = first_valid_out(kw, pl, sw), ow1 = end_valid_out(kw, pl, sw, W, OW);
          if (ow1 <= ow0) continue;
          const float *xs = xrow + (ow0 * sw + kw - pl) * C;
          const float *ds = dyrow + ow0 * CM;
          float *d = dw + (kh * KW + kw) * CM;
          if (M == 1) {
            filter_taps_m1(xs, sw * C, ds, ow1 - ow0, d, C);
          } else {
            for (int j = 0; j < ow1 - ow0; j++)
              for (int c = 0; c < C; c++) {
                float xv = xs[j * sw * C + c];
                for (int m = 0; m < M; m++) d[c * M + m] += xv * ds[j * CM + c * M + m];
              }
          }
        }
      }
    }
}

/* Gather of up to KH*KW taps for one input pixel; offsets are in floats. */
static void input_pixel_m1(const float *dy, const float *w, const int *dyoff, const int *woff, int ntaps, float *out,
                           int C) {
  int c = 0;
  for (; c + 16 <= C; c += 16) {
    f32x4 a0 = splat(0), a1 = splat(0), a2 = splat(0), a3 = splat(0);
    for (int t = 0; t < ntaps; t++) {
      const float *p = dy + dyoff[t] + c, *q = w + woff[t] + c;
      a0 = madd(a0, ld(p), ld(q));
      a1 = madd(a1, ld(p + 4), ld(q + 4));
      a2 = madd(a2, ld(p + 8), ld(q + 8));
      a3 = madd(a3, ld(p + 12), ld(q + 12));
    }
    st(out + c, a0); st(out + c + 4, a1); st(out + c + 8, a2); st(out + c + 12, a3);
  }
  for (; c + 4 <= C; c += 4) {
    f32x4 a0 = splat(0);
    for (int t = 0; t < ntaps; t++) a0 = madd(a0, ld(dy + dyoff[t] + c), ld(w + woff[t] + c));
    st(out + c, a0);
  }
  for (; c < C; c++) {
    float s = 0;
    for (int t = 0; t < ntaps; t++) s += dy[dyoff[t] + c] * w[woff[t] + c];
    out[c] = s;
  }
}

/* taps_scratch: 2*KH*KW ints. */
LN_EXPORT(depthwise_backprop_input)
void depthwise_backprop_input(const float *dy, const float *w, float *dx, int *taps_scratch, int N, int H, int W, int C,
                              int M, int OH, int OW, int KH, int KW, int sh, int sw, int pt, int pl) {
  int CM = C * M;
  int *dyoff = taps_scratch, *woff = taps_scratch + KH * KW;
  for (int n = 0; n < N; n++)
    for (int ih = 0; ih < H; ih++)
      for (int iw = 0; iw < W; iw++) {
        int ntaps = 0;
        for (int kh = 0; kh < KH; kh++) {
          int t = ih + pt - kh;
          if (t < 0 || t % sh != 0 || t / sh >= OH) continue;
          int oh = t / sh;
          for (int kw = 0; kw < KW; kw++) {
            int u = iw + pl - kw;
            if (u < 0 || u % sw != 0 || u / sw >= OW) continue;
            dyoff[ntaps] = ((n * OH + oh) * OW + u / sw) * CM;
            woff[ntaps] = (kh * KW + kw) * CM;
            ntaps++;
          }
        }
        float *out = dx + ((n * H + ih) * W + iw) * C;
        if (M == 1) {
          input_pixel_m1(dy, w, dyoff, woff, ntaps, out, C);
        } else {
          for (int c = 0; c < C; c++) {
            float s = 0;
            for (int t = 0; t < ntaps; t++)
              for (int m = 0; m < M; m++) s += dy[dyoff[t] + c * M + m] * w[woff[t] + c * M + m];
            out[c] = s;
          }
        }
      }
}
