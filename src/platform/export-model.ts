/**
 * The exporter every command uses (`layernas export`, the design's export stage): exportNetwork (src/export) with
 * each written model loaded in its host runtime and compared with the reference forward pass.
 */
import { exportNetwork, type ExportRequest, type ExportResult, type ModelCheck } from '../export/index.js';
import { calibrateWithOnnxRuntime } from './onnx-calibration.js';
import { checkParity } from '../runtime/parity.js';
import { hostRuntimeFor } from './host-runtimes.js';

/** load the file in the host runtime of its format, report its I/O and its parity with the reference */
export const hostModelCheck: ModelCheck = async (graph, input, file, model, threads) => {
  const runtime = hostRuntimeFor(model.format);
  const loaded = await runtime.load(file, { threads });
  const io = { inputs: loaded.inputs, outputs: loaded.outputs };
  await loaded.dispose();
  const report = await checkParity(graph, input, [{
    format: `${model.format}-${model.precision}`, file, runtime, threads,
    ...(model.prepareInput ? { prepareInput: model.prepareInput } : {}), ...(model.readOutput ? { readOutput: model.readOutput } : {}),
  }]);
  const e = report.entries[0] as NonNullable<(typeof report.entries)[0]>;
  return { ...io, relDiff: e.relDiff, maxAbsDiff: e.maxAbsDiff, argmaxAgrees: e.argmaxAgrees, runtime: `${runtime.id} ${runtime.version}` };
};

export interface ExportModelRequest extends Omit<ExportRequest, 'check' | 'calibrator'> {
  /** load every model in its host runtime and compare with the reference (default true) */
  readonly verify?: boolean;
}

/** export + host parity check of every model (unless verify is false); int8 calibrated through ONNX Runtime;
 *  manifest.json written last */
export async function exportModel(req: ExportModelRequest): Promise<ExportResult> {
  const { verify, ...rest } = req;
  return await exportNetwork({ ...rest, calibrator: calibrateWithOnnxRuntime, ...(verify === false ? {} : { check: hostModelCheck }) });
}
