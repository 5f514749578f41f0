/*
 * layernas: TFLite external-delegate plugin that hands the graph to the XNNPack delegate already compiled
 * into tfjs-tflite-node's libtensorflowlite_c.so (TFLite 2.9). tfjs-tflite-node can only load delegates
 * through the "external delegate" mechanism, which dlopen()s a library exporting the two functions below.
 *
 * Options (string key/value pairs, passed by src/runtime/tflite.ts):
 *   num_threads  XNNPack thread-pool size (default 1)
 *   flags        XNNPack delegate flags as an integer (1 = signed int8 / QS8, 2 = unsigned int8 / QU8)
 *
 * Build: scripts/build-native.mjs (gcc -shared -fPIC, linked against libtensorflowlite_c.so).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

typedef struct TfLiteDelegate TfLiteDelegate;

/*
 * TfLiteXNNPackDelegateOptions of TFLite 2.9 starts with {int32_t num_threads; uint32_t flags;} followed by
 * fields added later (a weights-cache pointer). We pass a zero-filled, generously sized block so any trailing
 * field the library reads is 0 / NULL (its default).
 */
typedef struct {
  int32_t num_threads;
  uint32_t flags;
  unsigned char reserved[120];
} LayernasXnnpackOptions;

extern TfLiteDelegate* TfLiteXNNPackDelegateCreate(const void* options);
extern void TfLiteXNNPackDelegateDelete(TfLiteDelegate* delegate);

static int parse_int(const char* text, long* out) {
  char* end = NULL;
  long v = strtol(text, &end, 10);
  if (end == text || *end != '\0') return 0;
  *out = v;
  return 1;
}

__attribute__((visibility("default")))
TfLiteDelegate* tflite_plugin_create_delegate(char** keys, char** values, size_t count,
                                              void (*report_error)(const char*)) {
  LayernasXnnpackOptions options;
  memset(&options, 0, sizeof(options));
  options.num_threads = 1;
  for (size_t i = 0; i < count; i++) {
    long v = 0;
    if (!parse_int(values[i], &v)) {
      if (report_error) report_error("layernas xnnpack plugin: option value is not an integer");
      return NULL;
    }
    if (strcmp(keys[i], "num_threads") == 0) {
      options.num_threads = (int32_t)v;
    } else if (strcmp(keys[i], "flags") == 0) {
      options.flags = (uint32_t)v;
    } else {
      if (report_error) report_error("layernas xnnpack plugin: unknown option (known: num_threads, flags)");
      return NULL;
    }
  }
  return TfLiteXNNPackDelegateCreate(&options);
}

__attribute__((visibility("default")))
void tflite_plugin_destroy_delegate(TfLiteDelegate* delegate) {
  TfLiteXNNPackDelegateDelete(delegate);
}
