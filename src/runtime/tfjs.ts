/**
 * Loads a TF.js layers model (model.json + shards) from the file system with `tf.loadLayersModel` through an
 * in-memory IOHandler, on @tensorflow/tfjs' pure-JS 'cpu' backend, behind the ModelRuntime interface.
 * Note: selecting the backend is process-global in tfjs; this runtime sets 'cpu' when it loads a model.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LayernasError } from '../core/errors.js';
import type { LoadedModel, ModelRuntime, RuntimeLoadOptions, RuntimeTensorData, RuntimeTensorInfo, TimingOptions } from './types.js';
import { zerosFor } from './types.js';

type Tf = typeof import('@tensorflow/tfjs');
type LayersModel = import('@tensorflow/tfjs').LayersModel;

async function importTf(): Promise<Tf> {
  try {
    return await import('@tensorflow/tfjs');
  } catch (e) {
    throw new LayernasError('RUNTIME_UNAVAILABLE', `@tensorflow/tfjs cannot be loaded: ${(e as Error).message}. Fix: run \`npm install\` in the layernas directory.`, { runtime: 'tfjs' }, { cause: e });
  }
}

class TfjsLoadedModel implements LoadedModel {
  constructor(private readonly tf: Tf, private readonly model: LayersModel, readonly inputs: readonly RuntimeTensorInfo[], readonly outputs: readonly RuntimeTensorInfo[]) {}

  private predict(data: readonly RuntimeTensorData[]): import('@tensorflow/tfjs').Tensor[] {
    if (data.length !== this.inputs.length) throw new LayernasError('USAGE', `model has ${this.inputs.length} input(s), got ${data.length}`);
    const xs = this.inputs.map((info, i) => this.tf.tensor(data[i] as Float32Array, info.shape.map((d) => (d < 0 ? 1 : d)), 'float32'));
    const y = this.model.predict(xs.length === 1 ? (xs[0] as import('@tensorflow/tfjs').Tensor) : xs);
    xs.forEach((x) => x.dispose());
    return Array.isArray(y) ? y : [y];
  }

  async run(inputs: readonly RuntimeTensorData[]): Promise<RuntimeTensorData[]> {
    const ys = this.predict(inputs);
    const out = await Promise.all(ys.map(async (y) => (await y.data()) as Float32Array));
    ys.forEach((y) => y.dispose());
    return out;
  }

  async time(options: TimingOptions): Promise<number[]> {
    const inputs = options.inputs ?? this.inputs.map(zerosFor);
    for (let i = 0; i < options.warmup; i++) await this.run(inputs);
    const samples: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const t0 = performance.now();
      await this.run(inputs);
      samples.push(performance.now() - t0);
    }
    return samples;
  }

  async dispose(): Promise<void> {
    this.model.dispose();
  }
}

interface ModelJson {
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: 'float32' }[] }[];
}

export class TfjsLayersRuntime implements ModelRuntime {
  readonly id = 'tfjs';
  readonly version = '4.22.0';

  /** `file` is the model.json path; threads are ignored (the cpu backend is single-threaded) */
  async load(file: string, _options: RuntimeLoadOptions): Promise<LoadedModel> {
    let json: ModelJson;
    let weightData: Uint8Array;
    try {
      json = JSON.parse(await readFile(file, 'utf8')) as ModelJson;
      const shards = await Promise.all(json.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(join(dirname(file), p))));
      weightData = new Uint8Array(Buffer.concat(shards));
    } catch (e) {
      throw new LayernasError('MODEL_INVALID', `cannot read TF.js model ${file}: ${(e as Error).message}`, { file }, { cause: e });
    }
    const tf = await importTf();
    await tf.setBackend('cpu');
    let model: LayersModel;
    try {
      model = await tf.loadLayersModel(tf.io.fromMemory({
        modelTopology: json.modelTopology as import('@tensorflow/tfjs').io.ModelArtifacts['modelTopology'],
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer,
      }));
    } catch (e) {
      throw new LayernasError('MODEL_INVALID', `tf.loadLayersModel cannot load ${file}: ${(e as Error).message}`, { file }, { cause: e });
    }
    const info = (names: readonly string[], shapes: readonly (readonly (number | null)[])[]): RuntimeTensorInfo[] =>
      names.map((name, i) => ({ name, shape: [1, ...(shapes[i] ?? []).slice(1).map((d) => d ?? -1)], dtype: 'float32' as const }));
    const inShapes = model.inputs.map((t) => t.shape);
    const outShapes = model.outputs.map((t) => t.shape);
    return new TfjsLoadedModel(tf, model, info(model.inputNames, inShapes), info(model.outputNames, outShapes));
  }
}
