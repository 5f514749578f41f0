/**
 * Which runtime loads a model file of each export format on this machine: the one place that maps a format (or a
 * file's extension) to a runtime. Platforms (registry.ts) and the export check use it; nothing else picks runtimes.
 */
import { LayernasError } from '../core/errors.js';
import { EXPORT_FORMATS, fileEnding, formatOfFileName, isFileOfFormat, type ExportFormat } from '../export/formats.js';
import { OnnxRuntime } from '../runtime/onnxruntime.js';
import { TfjsLayersRuntime } from '../runtime/tfjs.js';
import { TfliteRuntime } from '../runtime/tflite.js';
import type { ModelRuntime } from '../runtime/types.js';

const HOST_RUNTIMES: Readonly<Record<ExportFormat, () => ModelRuntime>> = {
  tflite: () => new TfliteRuntime({ xnnpack: 'auto' }),
  onnx: () => new OnnxRuntime(),
  tfjs: () => new TfjsLayersRuntime(),
};

/** a fresh host runtime for files of `format` (TFLite with XNNPack when the plugin was built) */
export function hostRuntimeFor(format: ExportFormat): ModelRuntime {
  return HOST_RUNTIMES[format]();
}

/** the export format of a model file, from its name; MODEL_INVALID for a file no runtime here loads */
export function formatOfFile(file: string): ExportFormat {
  const found = formatOfFileName(file);
  if (!found) throw new LayernasError('MODEL_INVALID', `${file}: not a model file layernas runs (${EXPORT_FORMATS.map(fileEnding).join(', ')})`, { file });
  return found;
}

export { isFileOfFormat };
