/* layernas: our int8 kernels for TFLite 2.9 (see int8_pointwise.c, int8_delegate.c). */
#ifndef LAYERNAS_INT8_KERNELS_H
#define LAYERNAS_INT8_KERNELS_H
#include <stddef.h>
#include <stdint.h>
#include "tensorflow/lite/c/common.h"

/* TfLiteConvParams of TFLite 2.9 (builtin_op_data.h is not shipped with the C library) */
typedef struct {
  int padding;
  int stride_width;
  int stride_height;
  int activation; /* 0 none, 1 relu, 2 relu_n1_to_1, 3 relu6 */
  int dilation_width_factor;
  int dilation_height_factor;
} LayernasConvParams;

int layernas_pointwise_supported(const TfLiteContext* ctx, const TfLiteNode* node, const LayernasConvParams* p);
void* layernas_pointwise_create(const TfLiteContext* ctx, const TfLiteNode* node, const LayernasConvParams* p);
void layernas_pointwise_free(void* op);
size_t layernas_pointwise_scratch(const void* op);
size_t layernas_pointwise_rows(const TfLiteContext* ctx, const void* op);
/* tensor indices of the op's input and output */
void layernas_pointwise_tensors(const void* op, int* x, int* y);
void layernas_pointwise_run(const void* op, const int8_t* x, int8_t* y, size_t r0, size_t r1, uint8_t* scratch);

/* the delegate: NULL when this CPU has no AVX-512 VNNI (then XNNPack runs everything) */
TfLiteDelegate* layernas_int8_delegate_create(void);
void layernas_int8_delegate_delete(TfLiteDelegate* delegate);
/* nodes the delegate took when the interpreter was built */
int layernas_int8_delegate_nodes(const TfLiteDelegate* delegate);
#endif
