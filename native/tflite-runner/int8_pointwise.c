/*
 * layernas: int8 pointwise (1x1) convolutions on AVX-512 VNNI, as a TFLite delegate that runs before XNNPack.
 *
 * Why: TFLite 2.9's XNNPack has no VNNI kernels. Its QS8 GEMM on x86 widens int8 to int16 and multiplies with
 * VPMADDWD (2 products per 32-bit lane and instruction, plus the widening; seen in the shipped library's hot
 * loop with `perf` + `objdump`), so an int8 model barely beats float32 on a CPU that has VPDPBUSD (4 products
 * per lane, no widening). XNNPack added VNNI kernels after 2.9; this delegate gives the pointwise convolutions
 * of an int8 model the same instruction on the 2.9 library we can install. Everything else stays on XNNPack.
 *
 * It takes CONV_2D nodes with a 1x1 kernel, stride 1, no dilation, int8 input/output (one scale and zero point
 * each), int8 weights with zero point 0 (per-channel or per-tensor scale), optional int32 bias, fused NONE,
 * RELU or RELU6. Requantization is XNNPack's fp32 rule: round-to-nearest-even(acc * s_in * s_w / s_out) + z_out.
 *
 * VPDPBUSD multiplies unsigned by signed bytes, so activations are flipped to unsigned (x ^ 0x80 = x + 128)
 * one block of rows at a time, and the constant 128 + z_in is folded into the bias:
 *   sum((x - z_in) * w) + b  =  sum((x + 128) * w) + b - (128 + z_in) * sum(w).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <immintrin.h>
#include "int8_kernels.h"

#define MR 8    /* rows (pixels) per micro-tile */
#define LANES 16

typedef struct {
  int x, y;            /* tensor indices */
  int K, Kp, N, Nb;    /* input channels, K rounded up to 4, output channels, 16-lane blocks of N */
  int8_t* w;           /* [Nb][Kp/4][16][4] */
  int32_t* bias;       /* [Nb*16], with -(128 + z_in) * sum(w) folded in */
  float* scale;        /* [Nb*16] s_in * s_w / s_out */
  int32_t zy, lo, hi;
} Pointwise;

static const TfLiteAffineQuantization* affine(const TfLiteTensor* t) {
  if (t->quantization.type != kTfLiteAffineQuantization || !t->quantization.params) return NULL;
  const TfLiteAffineQuantization* q = (const TfLiteAffineQuantization*)t->quantization.params;
  return q->scale && q->zero_point && q->scale->size >= 1 ? q : NULL;
}

static int single(const TfLiteTensor* t) {
  const TfLiteAffineQuantization* q = affine(t);
  return t->type == kTfLiteInt8 && q && q->scale->size == 1 && t->dims && t->dims->size == 4;
}

int layernas_pointwise_supported(const TfLiteContext* ctx, const TfLiteNode* node, const LayernasConvParams* p) {
  if (node->inputs->size < 2 || node->outputs->size != 1) return 0;
  if (p->stride_width != 1 || p->stride_height != 1 || p->dilation_width_factor != 1 || p->dilation_height_factor != 1)
    return 0;
  if (p->activation != 0 && p->activation != 1 && p->activation != 3) return 0;
  const TfLiteTensor* x = &ctx->tensors[node->inputs->data[0]];
  const TfLiteTensor* w = &ctx->tensors[node->inputs->data[1]];
  const TfLiteTensor* y = &ctx->tensors[node->outputs->data[0]];
  if (!single(x) || !single(y) || w->type != kTfLiteInt8 || w->allocation_type != kTfLiteMmapRo || !w->dims) return 0;
  if (w->dims->size != 4 || w->dims->data[1] != 1 || w->dims->data[2] != 1) return 0;
  int N = w->dims->data[0], K = w->dims->data[3];
  if (x->dims->data[3] != K || y->dims->data[3] != N) return 0;
  const TfLiteAffineQuantization* qw = affine(w);
  if (!qw || (qw->scale->size != 1 && qw->scale->size != N) || qw->zero_point->size < 1) return 0;
  for (int i = 0; i < qw->zero_point->size; i++) if (qw->zero_point->data[i] != 0) return 0;
  if (node->inputs->size >= 3 && node->inputs->data[2] >= 0) {
    const TfLiteTensor* b = &ctx->tensors[node->inputs->data[2]];
    if (b->type != kTfLiteInt32 || b->allocation_type != kTfLiteMmapRo || !b->dims || b->dims->data[0] != N) return 0;
  }
  return 1;
}

void* layernas_pointwise_create(const TfLiteContext* ctx, const TfLiteNode* node, const LayernasConvParams* p) {
  const TfLiteTensor* x = &ctx->tensors[node->inputs->data[0]];
  const TfLiteTensor* w = &ctx->tensors[node->inputs->data[1]];
  const TfLiteTensor* y = &ctx->tensors[node->outputs->data[0]];
  const TfLiteTensor* b = node->inputs->size >= 3 && node->inputs->data[2] >= 0 ? &ctx->tensors[node->inputs->data[2]] : NULL;
  const TfLiteAffineQuantization *qx = affine(x), *qw = affine(w), *qy = affine(y);
  Pointwise* op = (Pointwise*)calloc(1, sizeof(Pointwise));
  if (!op) return NULL;
  op->x = node->inputs->data[0];
  op->y = node->outputs->data[0];
  op->N = w->dims->data[0];
  op->K = w->dims->data[3];
  op->Kp = (op->K + 3) & ~3;
  op->Nb = (op->N + LANES - 1) / LANES;
  size_t wbytes = (size_t)op->Nb * op->Kp * LANES;
  op->w = (int8_t*)aligned_alloc(64, (wbytes + 63) & ~(size_t)63);
  op->bias = (int32_t*)aligned_alloc(64, (size_t)op->Nb * LANES * 4);
  op->scale = (float*)aligned_alloc(64, (size_t)op->Nb * LANES * 4);
  if (!op->w || !op->bias || !op->scale) {
    layernas_pointwise_free(op);
    return NULL;
  }
  memset(op->w, 0, wbytes);
  const float sx = qx->scale->data[0], sy = qy->scale->data[0];
  const int32_t zx = qx->zero_point->data[0];
  op->zy = qy->zero_point->data[0];
  for (int n = 0; n < op->Nb * LANES; n++) {
    int32_t sum = 0;
    if (n < op->N) {
      for (int k = 0; k < op->K; k++) {
        int8_t v = w->data.int8[(size_t)n * op->K + k];
        /* block n/16, group k/4, lane n%16, byte k%4 */
        op->w[(((size_t)(n / LANES) * (op->Kp / 4) + k / 4) * LANES + n % LANES) * 4 + k % 4] = v;
        sum += v;
      }
    }
    int32_t bias = b && n < op->N ? b->data.i32[n] : 0;
    op->bias[n] = bias - (128 + zx) * sum;
    float sw = n < op->N ? qw->scale->data[qw->scale->size == 1 ? 0 : n] : 0.0f;
    op->scale[n] = sx * sw / sy;
  }
  int32_t lo = -128, hi = 127;
  if (p->activation == 1 || p->activation == 3) lo = op->zy > lo ? op->zy : lo;
  if (p->activation == 3) {
    float six = 6.0f / sy + (float)op->zy;
    int32_t top = (int32_t)(six + (six >= 0 ? 0.5f : -0.5f));
    hi = top < hi ? top : hi;
  }
  op->lo = lo;
  op->hi = hi;
  return op;
}

void layernas_pointwise_free(void* p) {
  Pointwise* op = (Pointwise*)p;
  if (!op) return;
  free(op->w);
  free(op->bias);
  free(op->scale);
  free(op);
}

size_t layernas_pointwise_scratch(const void* p) { return (size_t)MR * ((const Pointwise*)p)->Kp; }

void layernas_pointwise_tensors(const void* p, int* x, int* y) {
  *x = ((const Pointwise*)p)->x;
  *y = ((const Pointwise*)p)->y;
}

size_t layernas_pointwise_rows(const TfLiteContext* ctx, const void* p) {
  const TfLiteTensor* x = &ctx->tensors[((const Pointwise*)p)->x];
  return (size_t)x->dims->data[0] * x->dims->data[1] * x->dims->data[2];
}

__attribute__((target("avx512f,avx512bw,avx512vnni")))
static inline void store_row(int8_t* out, __m512i acc, __m512 scale, __m512i zy, __m512i lo, __m512i hi, __mmask16 mask) {
  __m512i v = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_cvtepi32_ps(acc), scale));
  v = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(v, zy), lo), hi);
  _mm512_mask_cvtsepi32_storeu_epi8(out, mask, v);
}

/* rows [r0, r1) of the output; scratch holds MR * Kp bytes */
__attribute__((target("avx512f,avx512bw,avx512vnni")))
void layernas_pointwise_run(const void* p, const int8_t* x, int8_t* y, size_t r0, size_t r1, uint8_t* scratch) {
  const Pointwise* op = (const Pointwise*)p;
  const int K = op->K, Kp = op->Kp, N = op->N, groups = Kp / 4;
  const __m512i zy = _mm512_set1_epi32(op->zy), lo = _mm512_set1_epi32(op->lo), hi = _mm512_set1_epi32(op->hi);
  for (size_t r = r0; r < r1; r += MR) {
    const int rows = r1 - r < MR ? (int)(r1 - r) : MR;
    for (int i = 0; i < MR; i++) {  /* flip to unsigned; missing rows repeat the last one */
      const int8_t* src = x + (r + (i < rows ? i : rows - 1)) * (size_t)K;
      uint8_t* dst = scratch + (size_t)i * Kp;
      int k = 0;
      for (; k + 64 <= K; k += 64)
        _mm512_storeu_si512(dst + k, _mm512_xor_si512(_mm512_loadu_si512(src + k), _mm512_set1_epi8((char)0x80)));
      for (; k < K; k++) dst[k] = (uint8_t)(src[k] ^ 0x80);
      for (; k < Kp; k++) dst[k] = 0;
    }
    for (int nb = 0; nb < op->Nb; nb++) {
      const int8_t* w = op->w + (size_t)nb * groups * 64;
      __m512i a0 = _mm512_load_si512(op->bias + nb * LANES);
      __m512i a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
      const int32_t* s = (const int32_t*)scratch;
      const int stride = Kp / 4;
      for (int g = 0; g < groups; g++, w += 64) {
        const __m512i wv = _mm512_load_si512(w);
        a0 = _mm512_dpbusd_epi32(a0, _mm512_set1_epi32(s[g]), wv);
        a1 = _mm512_dpbusd_epi32(a1, _mm512_set1_epi32(s[g + stride]), wv);
        a2 = _mm512_dpbusd_epi32(a2, _mm512_set1_epi32(s[g + 2 * stride]), wv);
        a3 = _mm512_dpbusd_epi32(a3, _mm512_set1_epi32(s[g + 3 * stride]), wv);
        a4 = _mm512_dpbusd_epi32(a4, _mm512_set1_epi32(s[g + 4 * stride]), wv);
        a5 = _mm512_dpbusd_epi32(a5, _mm512_set1_epi32(s[g + 5 * stride]), wv);
        a6 = _mm512_dpbusd_epi32(a6, _mm512_set1_epi32(s[g + 6 * stride]), wv);
        a7 = _mm512_dpbusd_epi32(a7, _mm512_set1_epi32(s[g + 7 * stride]), wv);
      }
      const __m512 scale = _mm512_load_ps(op->scale + nb * LANES);
      const int n0 = nb * LANES, width = N - n0 < LANES ? N - n0 : LANES;
      const __mmask16 mask = (__mmask16)((1u << width) - 1u);
      int8_t* out = y + r * (size_t)N + n0;
      const __m512i acc[MR] = {a0, a1, a2, a3, a4, a5, a6, a7};
      for (int i = 0; i < rows; i++) store_row(out + (size_t)i * N, acc[i], scale, zy, lo, hi, mask);
    }
  }
}
