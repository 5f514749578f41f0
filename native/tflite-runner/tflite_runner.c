/*
 * layernas: a small Node-API addon that runs .tflite models on the TFLite 2.9 C library shipped by
 * tfjs-tflite-node (libtensorflowlite_c.so, XNNPack compiled in), with the XNNPack delegate created directly.
 *
 * Why not tfjs-tflite-node's own binding: it passes external-delegate options as pointers into loop-local string
 * copies, so every option the delegate sees aliases the LAST one (`num_threads` never reached XNNPack: it always
 * ran on one thread), it copies every input and output around each invoke, and it cannot say which nodes the
 * delegate took. This addon:
 *   - sets the interpreter's threads (TfLiteInterpreterOptionsSetNumThreads) and XNNPack's thread-pool size;
 *   - reports the delegation: nodes before, nodes XNNPack took, XNNPack partitions, builtin codes left on TFLite's
 *     own kernels;
 *   - times invokes in C (clock_gettime), so a measurement is the interpreter's work, not the JS binding's.
 *
 * JS API (src/runtime/tflite-native.ts):
 *   create(model: Uint8Array, threads: number, xnnpackFlags: number (-1 = no delegate)) -> handle
 *   describe(handle) -> { inputs, outputs: [{name, type, shape, scale, zeroPoint, bytes}],
 *                         delegation: {nodes, delegated, partitions, kept: {code: count}, threadPool} | null }
 *   setInput(handle, index, typedArray); invoke(handle); getOutput(handle, index, typedArray)
 *   time(handle, runs) -> Float64Array (ms per invoke)
 *
 * Build: scripts/build-native.mjs (gcc -shared -fPIC against Node's headers and libtensorflowlite_c.so).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <node_api.h>
#include "tensorflow/lite/c/c_api.h"
#include "tensorflow/lite/c/common.h"
#include "int8_kernels.h"

/* TfLiteXNNPackDelegateOptions of TFLite 2.9 starts with {int32_t num_threads; uint32_t flags;}; later fields are
 * zero (defaults). A generous zero-filled block covers any trailing field the library reads. */
typedef struct {
  int32_t num_threads;
  uint32_t flags;
  unsigned char reserved[120];
} XnnpackOptions;

extern TfLiteDelegate* TfLiteXNNPackDelegateCreate(const void* options);
extern void TfLiteXNNPackDelegateDelete(TfLiteDelegate* delegate);
extern void* TfLiteXNNPackDelegateGetThreadPool(TfLiteDelegate* delegate);

/* bit 16 of xnnpackFlags (ours, never passed to XNNPack): int8 pointwise convolutions on our VNNI kernels
 * (int8_delegate.c), at 1 thread */
#define FLAG_INT8_KERNELS (1 << 16)
#define XNNPACK_FLAG_MASK 0xffffu
#define BUILTIN_DELEGATE 51 /* kTfLiteBuiltinDelegate */
#define MAX_CODE 256

typedef struct Runner {
  TfLiteDelegate wrapper; /* first member: XNNPack's delegate with Prepare replaced by report_prepare */
  TfLiteDelegate* xnnpack;
  TfLiteDelegate* int8; /* our VNNI pointwise kernels (int8_delegate.c), or NULL */
  TfLiteModel* model;
  TfLiteInterpreterOptions* options;
  TfLiteInterpreter* interpreter;
  void* model_bytes;
  char errors[2048];
  int reported, nodes, delegated, partitions, ours, our_partitions;
  int kept[MAX_CODE];
} Runner;

static void report_error(void* user_data, const char* format, va_list args) {
  Runner* r = (Runner*)user_data;
  size_t used = strlen(r->errors);
  if (used + 2 >= sizeof(r->errors)) return;
  vsnprintf(r->errors + used, sizeof(r->errors) - used - 1, format, args);
  strcat(r->errors, " ");
}

static TfLiteStatus report_prepare(TfLiteContext* context, TfLiteDelegate* delegate) {
  Runner* r = (Runner*)delegate;
  TfLiteIntArray* plan = NULL;
  int before = -1;
  if (context->GetExecutionPlan(context, &plan) == kTfLiteOk) before = plan->size;
  TfLiteStatus status = r->xnnpack->Prepare(context, delegate);
  if (context->GetExecutionPlan(context, &plan) != kTfLiteOk) return status;
  int kept = 0;
  for (int i = 0; i < plan->size; i++) {
    TfLiteNode* node = NULL;
    TfLiteRegistration* reg = NULL;
    if (context->GetNodeAndRegistration(context, plan->data[i], &node, &reg) != kTfLiteOk) continue;
    if (reg->builtin_code == BUILTIN_DELEGATE && reg->custom_name && !strcmp(reg->custom_name, "LayernasInt8Pointwise")) {
      r->our_partitions++;
    } else if (reg->builtin_code == BUILTIN_DELEGATE) {
      r->partitions++;
    } else {
      kept++;
      if (reg->builtin_code >= 0 && reg->builtin_code < MAX_CODE) r->kept[reg->builtin_code]++;
    }
  }
  r->reported = 1;
  /* our delegate ran first: `before` already counts each of its partitions as one node */
  r->ours = layernas_int8_delegate_nodes(r->int8);
  r->nodes = before + r->ours - r->our_partitions;
  r->delegated = before - kept - r->our_partitions;
  return status;
}

static void destroy(Runner* r) {
  if (r->interpreter) TfLiteInterpreterDelete(r->interpreter);
  if (r->options) TfLiteInterpreterOptionsDelete(r->options);
  if (r->model) TfLiteModelDelete(r->model);
  if (r->xnnpack) TfLiteXNNPackDelegateDelete(r->xnnpack);
  if (r->int8) layernas_int8_delegate_delete(r->int8);
  free(r->model_bytes);
  free(r);
}

static void finalize(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  destroy((Runner*)data);
}

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, "LAYERNAS_NATIVE", "N-API call failed: " #call); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

static napi_value throw_msg(napi_env env, const char* what, const Runner* r) {
  char msg[2300];
  snprintf(msg, sizeof(msg), "%s%s%s", what, r && r->errors[0] ? ": " : "", r ? r->errors : "");
  napi_throw_error(env, "LAYERNAS_TFLITE", msg);
  return NULL;
}

static Runner* unwrap(napi_env env, napi_value v) {
  void* data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || !data) {
    napi_throw_type_error(env, "LAYERNAS_NATIVE", "expected a TFLite runner handle");
    return NULL;
  }
  return (Runner*)data;
}

static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) return throw_msg(env, "create(model, threads, xnnpackFlags) needs 3 arguments", NULL);
  napi_typedarray_type type;
  size_t length = 0;
  void* bytes = NULL;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &bytes, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    return throw_msg(env, "model must be a Uint8Array", NULL);
  }
  int32_t threads = 1, flags = -1;
  CHECK(napi_get_value_int32(env, argv[1], &threads));
  CHECK(napi_get_value_int32(env, argv[2], &flags));
  Runner* r = (Runner*)calloc(1, sizeof(Runner));
  if (!r) return throw_msg(env, "out of memory", NULL);
  r->model_bytes = malloc(length ? length : 1);  /* TFLite keeps pointers into the model buffer */
  if (!r->model_bytes) {
    free(r);
    return throw_msg(env, "out of memory", NULL);
  }
  memcpy(r->model_bytes, bytes, length);
  r->model = TfLiteModelCreate(r->model_bytes, length);
  if (!r->model) {
    destroy(r);
    return throw_msg(env, "TFLite cannot parse the model", NULL);
  }
  r->options = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetNumThreads(r->options, threads);
  TfLiteInterpreterOptionsSetErrorReporter(r->options, report_error, r);
  if (flags >= 0) {
    if ((flags & FLAG_INT8_KERNELS) && threads == 1) {
      r->int8 = layernas_int8_delegate_create();  /* NULL without AVX-512 VNNI: XNNPack runs everything */
      if (r->int8) TfLiteInterpreterOptionsAddDelegate(r->options, r->int8);
    }
    XnnpackOptions xo;
    memset(&xo, 0, sizeof(xo));
    xo.num_threads = threads;
    xo.flags = (uint32_t)flags & XNNPACK_FLAG_MASK;
    r->xnnpack = TfLiteXNNPackDelegateCreate(&xo);
    if (!r->xnnpack) {
      destroy(r);
      return throw_msg(env, "TfLiteXNNPackDelegateCreate failed", NULL);
    }
    r->wrapper = *r->xnnpack;  /* same data_, flags and buffer-handle functions */
    r->wrapper.Prepare = report_prepare;
    TfLiteInterpreterOptionsAddDelegate(r->options, &r->wrapper);
  }
  r->interpreter = TfLiteInterpreterCreate(r->model, r->options);
  if (!r->interpreter) {
    napi_value err = throw_msg(env, "TFLite cannot create an interpreter for the model", r);
    destroy(r);
    return err;
  }
  if (TfLiteInterpreterAllocateTensors(r->interpreter) != kTfLiteOk) {
    napi_value err = throw_msg(env, "TFLite cannot allocate the model's tensors", r);
    destroy(r);
    return err;
  }
  napi_value handle;
  if (napi_create_external(env, r, finalize, NULL, &handle) != napi_ok) {
    destroy(r);
    return throw_msg(env, "napi_create_external failed", NULL);
  }
  return handle;
}

static napi_value tensor_info(napi_env env, const TfLiteTensor* t) {
  napi_value obj, v, shape;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_create_string_utf8(env, TfLiteTensorName(t), NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, obj, "name", v));
  CHECK(napi_create_string_utf8(env, TfLiteTypeGetName(TfLiteTensorType(t)), NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, obj, "type", v));
  int dims = TfLiteTensorNumDims(t);
  CHECK(napi_create_array_with_length(env, dims, &shape));
  for (int i = 0; i < dims; i++) {
    CHECK(napi_create_int32(env, TfLiteTensorDim(t, i), &v));
    CHECK(napi_set_element(env, shape, i, v));
  }
  CHECK(napi_set_named_property(env, obj, "shape", shape));
  TfLiteQuantizationParams q = TfLiteTensorQuantizationParams(t);
  CHECK(napi_create_double(env, q.scale, &v));
  CHECK(napi_set_named_property(env, obj, "scale", v));
  CHECK(napi_create_int32(env, q.zero_point, &v));
  CHECK(napi_set_named_property(env, obj, "zeroPoint", v));
  CHECK(napi_create_int64(env, (int64_t)TfLiteTensorByteSize(t), &v));
  CHECK(napi_set_named_property(env, obj, "bytes", v));
  return obj;
}

static napi_value describe(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], obj, list, v;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Runner* r = unwrap(env, argv[0]);
  if (!r) return NULL;
  CHECK(napi_create_object(env, &obj));
  int n = TfLiteInterpreterGetInputTensorCount(r->interpreter);
  CHECK(napi_create_array_with_length(env, n, &list));
  for (int i = 0; i < n; i++) CHECK(napi_set_element(env, list, i, tensor_info(env, TfLiteInterpreterGetInputTensor(r->interpreter, i))));
  CHECK(napi_set_named_property(env, obj, "inputs", list));
  n = TfLiteInterpreterGetOutputTensorCount(r->interpreter);
  CHECK(napi_create_array_with_length(env, n, &list));
  for (int i = 0; i < n; i++) CHECK(napi_set_element(env, list, i, tensor_info(env, TfLiteInterpreterGetOutputTensor(r->interpreter, i))));
  CHECK(napi_set_named_property(env, obj, "outputs", list));
  if (r->reported) {
    napi_value d, kept;
    CHECK(napi_create_object(env, &d));
    CHECK(napi_create_int32(env, r->nodes, &v));
    CHECK(napi_set_named_property(env, d, "nodes", v));
    CHECK(napi_create_int32(env, r->delegated, &v));
    CHECK(napi_set_named_property(env, d, "delegated", v));
    CHECK(napi_create_int32(env, r->partitions, &v));
    CHECK(napi_set_named_property(env, d, "partitions", v));
    CHECK(napi_create_int32(env, r->ours, &v));
    CHECK(napi_set_named_property(env, d, "int8Kernels", v));
    CHECK(napi_create_int32(env, r->our_partitions, &v));
    CHECK(napi_set_named_property(env, d, "int8KernelPartitions", v));
    CHECK(napi_create_object(env, &kept));
    for (int c = 0; c < MAX_CODE; c++) {
      if (!r->kept[c]) continue;
      char key[16];
      snprintf(key, sizeof(key), "%d", c);
      CHECK(napi_create_int32(env, r->kept[c], &v));
      CHECK(napi_set_named_property(env, kept, key, v));
    }
    CHECK(napi_set_named_property(env, d, "kept", kept));
    /* XNNPack creates a thread pool only for num_threads > 1 */
    CHECK(napi_get_boolean(env, TfLiteXNNPackDelegateGetThreadPool(r->xnnpack) != NULL, &v));
    CHECK(napi_set_named_property(env, d, "threadPool", v));
    CHECK(napi_set_named_property(env, obj, "delegation", d));
  } else {
    CHECK(napi_get_null(env, &v));
    CHECK(napi_set_named_property(env, obj, "delegation", v));
  }
  return obj;
}

/* (handle, index, typedArray) -> tensor and the array's bytes, checked to be the same size */
static TfLiteTensor* io_args(napi_env env, napi_callback_info info, int input, void** data) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) {
    napi_throw_error(env, "LAYERNAS_NATIVE", "expected (handle, index, typedArray)");
    return NULL;
  }
  Runner* r = unwrap(env, argv[0]);
  if (!r) return NULL;
  int32_t index = -1;
  napi_get_value_int32(env, argv[1], &index);
  int count = input ? TfLiteInterpreterGetInputTensorCount(r->interpreter) : TfLiteInterpreterGetOutputTensorCount(r->interpreter);
  if (index < 0 || index >= count) {
    napi_throw_range_error(env, "LAYERNAS_NATIVE", "tensor index out of range");
    return NULL;
  }
  TfLiteTensor* t = input ? TfLiteInterpreterGetInputTensor(r->interpreter, index)
                          : (TfLiteTensor*)TfLiteInterpreterGetOutputTensor(r->interpreter, index);
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  napi_value buffer;
  void* base = NULL;
  if (napi_get_typedarray_info(env, argv[2], &type, &length, &base, &buffer, &offset) != napi_ok) {
    napi_throw_type_error(env, "LAYERNAS_NATIVE", "expected a typed array");
    return NULL;
  }
  size_t element = (type == napi_int8_array || type == napi_uint8_array) ? 1 : 4;
  if (length * element != TfLiteTensorByteSize(t)) {
    napi_throw_range_error(env, "LAYERNAS_NATIVE", "typed array size differs from the tensor's byte size");
    return NULL;
  }
  *data = base;
  return t;
}

static napi_value set_input(napi_env env, napi_callback_info info) {
  void* data = NULL;
  TfLiteTensor* t = io_args(env, info, 1, &data);
  if (!t) return NULL;
  if (TfLiteTensorCopyFromBuffer(t, data, TfLiteTensorByteSize(t)) != kTfLiteOk) return throw_msg(env, "input copy failed", NULL);
  return NULL;
}

static napi_value get_output(napi_env env, napi_callback_info info) {
  void* data = NULL;
  TfLiteTensor* t = io_args(env, info, 0, &data);
  if (!t) return NULL;
  if (TfLiteTensorCopyToBuffer(t, data, TfLiteTensorByteSize(t)) != kTfLiteOk) return throw_msg(env, "output copy failed", NULL);
  return NULL;
}

static napi_value invoke(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Runner* r = unwrap(env, argv[0]);
  if (!r) return NULL;
  r->errors[0] = '\0';
  if (TfLiteInterpreterInvoke(r->interpreter) != kTfLiteOk) return throw_msg(env, "TFLite invoke failed", r);
  return NULL;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static napi_value time_invokes(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], buffer, out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Runner* r = unwrap(env, argv[0]);
  if (!r) return NULL;
  int32_t runs = 0;
  CHECK(napi_get_value_int32(env, argv[1], &runs));
  if (runs < 0) runs = 0;
  double* samples = NULL;
  CHECK(napi_create_arraybuffer(env, (size_t)runs * sizeof(double), (void**)&samples, &buffer));
  r->errors[0] = '\0';
  for (int i = 0; i < runs; i++) {
    double t0 = now_ms();
    if (TfLiteInterpreterInvoke(r->interpreter) != kTfLiteOk) return throw_msg(env, "TFLite invoke failed", r);
    samples[i] = now_ms() - t0;
  }
  CHECK(napi_create_typedarray(env, napi_float64_array, (size_t)runs, buffer, 0, &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"create", NULL, create, NULL, NULL, NULL, napi_default, NULL},
    {"describe", NULL, describe, NULL, NULL, NULL, napi_default, NULL},
    {"setInput", NULL, set_input, NULL, NULL, NULL, napi_default, NULL},
    {"getOutput", NULL, get_output, NULL, NULL, NULL, napi_default, NULL},
    {"invoke", NULL, invoke, NULL, NULL, NULL, napi_default, NULL},
    {"time", NULL, time_invokes, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
