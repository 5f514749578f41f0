/*
 * layernas: the TFLite delegate that hands int8 pointwise convolutions to our VNNI kernel (int8_pointwise.c).
 * Added to the interpreter before XNNPack, so XNNPack takes every node this one leaves. Single-threaded: the
 * runner adds it only to 1-thread interpreters. At 2+ threads XNNPack keeps the whole graph, because its thread
 * pool is internal to the library (not exported), and a second pool beside it made both slower when the two
 * alternated on this 2-core machine.
 */
#include <stdlib.h>
#include <string.h>
#include "int8_kernels.h"

#define BUILTIN_CONV_2D 3

typedef struct {
  TfLiteDelegate base; /* first member */
  int nodes;
} Int8Delegate;

/* A partition is a run of consecutive pointwise convolutions. TFLite allocates only the partition's inputs
 * and outputs; a tensor passed from one of our convolutions to the next is ours to allocate (Step.own). */
typedef struct {
  void* op;
  int from;         /* index of the earlier step whose `own` buffer is this step's input, or -1 (a TFLite tensor) */
  int8_t* own;      /* buffer for this step's output when no tensor outside the partition reads it, else NULL */
  size_t own_bytes;
} Step;

typedef struct {
  int count;
  Step* steps;
  uint8_t* scratch;
  size_t scratch_bytes;
} Partition;

static void partition_free(TfLiteContext* ctx, void* buffer) {
  (void)ctx;
  Partition* p = (Partition*)buffer;
  if (!p) return;
  for (int i = 0; i < p->count; i++) {
    layernas_pointwise_free(p->steps[i].op);
    free(p->steps[i].own);
  }
  free(p->steps);
  free(p->scratch);
  free(p);
}

static void* partition_init(TfLiteContext* ctx, const char* buffer, size_t length) {
  (void)length;
  const TfLiteDelegateParams* params = (const TfLiteDelegateParams*)buffer;
  const int n = params->nodes_to_replace->size;
  Partition* p = (Partition*)calloc(1, sizeof(Partition));
  if (!p) return NULL;
  p->steps = (Step*)calloc(n, sizeof(Step));
  if (!p->steps) {
    partition_free(ctx, p);
    return NULL;
  }
  int failed = 0;
  for (int i = 0; i < n && !failed; i++) {
    TfLiteNode* node = NULL;
    TfLiteRegistration* reg = NULL;
    if (ctx->GetNodeAndRegistration(ctx, params->nodes_to_replace->data[i], &node, &reg) != kTfLiteOk) break;
    Step* step = &p->steps[p->count];
    step->op = layernas_pointwise_create(ctx, node, (const LayernasConvParams*)node->builtin_data);
    if (!step->op) break;
    p->count++;
    int x, y, shared = 0;
    layernas_pointwise_tensors(step->op, &x, &y);
    step->from = -1;
    for (int j = 0; j < i; j++) {  /* the latest of our steps that wrote x into its own buffer */
      int xj, yj;
      layernas_pointwise_tensors(p->steps[j].op, &xj, &yj);
      if (yj == x && p->steps[j].own) step->from = j;
    }
    for (int j = 0; j < params->output_tensors->size; j++) shared |= params->output_tensors->data[j] == y;
    if (!shared) {
      step->own_bytes = ctx->tensors[y].bytes;
      step->own = (int8_t*)aligned_alloc(64, (step->own_bytes + 63) & ~(size_t)63);
      failed = !step->own;
    }
    size_t s = (layernas_pointwise_scratch(step->op) + 63) & ~(size_t)63;
    if (s > p->scratch_bytes) p->scratch_bytes = s;
  }
  p->scratch = (uint8_t*)aligned_alloc(64, p->scratch_bytes + 64);
  if (failed || p->count != n || !p->scratch) {
    partition_free(ctx, p);
    return NULL;
  }
  return p;
}

static TfLiteStatus partition_prepare(TfLiteContext* ctx, TfLiteNode* node) {
  (void)ctx;
  return node->user_data ? kTfLiteOk : kTfLiteError;
}

static TfLiteStatus partition_invoke(TfLiteContext* ctx, TfLiteNode* node) {
  const Partition* p = (const Partition*)node->user_data;
  for (int i = 0; i < p->count; i++) {
    const Step* step = &p->steps[i];
    int x, y;
    layernas_pointwise_tensors(step->op, &x, &y);
    /* a tensor resized after the delegate was built no longer fits our buffer: fail rather than overrun it */
    if (step->own && ctx->tensors[y].bytes > step->own_bytes) return kTfLiteError;
    const int8_t* in = step->from >= 0 ? p->steps[step->from].own : ctx->tensors[x].data.int8;
    int8_t* out = step->own ? step->own : ctx->tensors[y].data.int8;
    if (!in || !out) return kTfLiteError;
    layernas_pointwise_run(step->op, in, out, 0, layernas_pointwise_rows(ctx, step->op), p->scratch);
  }
  return kTfLiteOk;
}

static TfLiteStatus delegate_prepare(TfLiteContext* ctx, TfLiteDelegate* delegate) {
  Int8Delegate* d = (Int8Delegate*)delegate;
  TfLiteIntArray* plan = NULL;
  if (ctx->GetExecutionPlan(ctx, &plan) != kTfLiteOk) return kTfLiteError;
  TfLiteIntArray* take = TfLiteIntArrayCreate(plan->size);
  take->size = 0;
  for (int i = 0; i < plan->size; i++) {
    TfLiteNode* node = NULL;
    TfLiteRegistration* reg = NULL;
    if (ctx->GetNodeAndRegistration(ctx, plan->data[i], &node, &reg) != kTfLiteOk) continue;
    if (reg->builtin_code == BUILTIN_CONV_2D && node->builtin_data &&
        layernas_pointwise_supported(ctx, node, (const LayernasConvParams*)node->builtin_data)) {
      take->data[take->size++] = plan->data[i];
    }
  }
  d->nodes = take->size;
  TfLiteStatus status = kTfLiteOk;
  if (take->size > 0) {
    TfLiteRegistration reg;
    memset(&reg, 0, sizeof(reg));
    reg.init = partition_init;
    reg.free = partition_free;
    reg.prepare = partition_prepare;
    reg.invoke = partition_invoke;
    reg.custom_name = "LayernasInt8Pointwise";
    reg.version = 1;
    status = ctx->ReplaceNodeSubsetsWithDelegateKernels(ctx, reg, take, delegate);
  }
  TfLiteIntArrayFree(take);
  return status;
}

TfLiteDelegate* layernas_int8_delegate_create(void) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw") ||
      !__builtin_cpu_supports("avx512vnni")) return NULL;
  Int8Delegate* d = (Int8Delegate*)calloc(1, sizeof(Int8Delegate));
  if (!d) return NULL;
  d->base = TfLiteDelegateCreate();
  d->base.data_ = d;
  d->base.Prepare = delegate_prepare;
  return &d->base;
}

void layernas_int8_delegate_delete(TfLiteDelegate* delegate) { free(delegate); }

int layernas_int8_delegate_nodes(const TfLiteDelegate* delegate) {
  return delegate ? ((const Int8Delegate*)delegate)->nodes : 0;
}
