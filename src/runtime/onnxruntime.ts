/**
 * ONNX Runtime (onnxruntime-node, CPU execution provider) behind the ModelRuntime interface.
 * The native addon is imported lazily so that a machine without it gets 'RUNTIME_UNAVAILABLE' with the fix,
 * not an import crash of the whole CLI.
 */
import { access } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { LayernasError } from '../core/errors.js';
import type { LoadedModel, ModelRuntime, RuntimeDType, RuntimeLoadOptions, RuntimeTensorData, RuntimeTensorInfo, TimingOptions } from './types.js';
import { zerosFor } from './types.js';

type Ort = typeof import('onnxruntime-node');
type OrtSession = import('onnxruntime-node').InferenceSession;
type OrtValueMetadata = import('onnxruntime-node').InferenceSession.ValueMetadata;

const ORT_VERSION = '1.30.0';

async function importOrt(): Promise<Ort> {
  try {
    return await import('onnxruntime-node');
  } catch (e) {
    throw new LayernasError('RUNTIME_UNAVAILABLE',
      `ONNX Runtime (onnxruntime-node) cannot be loaded: ${(e as Error).message}. Fix: run \`npm install\` in the layernas ` +
      `directory so onnxruntime-node@${ORT_VERSION} downloads its native binary (allowScripts must permit it).`,
      { runtime: 'onnxruntime' }, { cause: e });
  }
}

function dtypeOf(type: string, where: string): RuntimeDType {
  switch (type) {
    case 'float32': return 'float32';
    case 'int8': return 'int8';
    case 'uint8': return 'uint8';
    case 'int32': return 'int32';
    default:
      throw new LayernasError('MODEL_INVALID', `${where}: tensor type '${type}' is not supported by layernas runtimes`, { type });
  }
}

function describe(meta: readonly OrtValueMetadata[], file: string): RuntimeTensorInfo[] {
  return meta.map((m) => {
    if (!m.isTensor) throw new LayernasError('MODEL_INVALID', `${file}: value '${m.name}' is not a tensor`, { file, name: m.name });
    const shape = m.shape.map((d: number | string) => (typeof d === 'number' ? d : -1));
    return { name: m.name, shape, dtype: dtypeOf(m.type, `${file}: '${m.name}'`) };
  });
}

class OrtLoadedModel implements LoadedModel {
  constructor(
    private readonly ort: Ort,
    private readonly session: OrtSession,
    readonly inputs: readonly RuntimeTensorInfo[],
    readonly outputs: readonly RuntimeTensorInfo[],
  ) {}

  private feeds(data: readonly RuntimeTensorData[]): Record<string, import('onnxruntime-node').Tensor> {
    if (data.length !== this.inputs.length) {
      throw new LayernasError('USAGE', `model has ${this.inputs.length} input(s), got ${data.length}`);
    }
    const feeds: Record<string, import('onnxruntime-node').Tensor> = {};
    this.inputs.forEach((info, i) => {
      const d = data[i] as RuntimeTensorData;
      const dims = info.shape.map((x) => (x < 0 ? 1 : x));
      feeds[info.name] = new this.ort.Tensor(info.dtype, d, dims);
    });
    return feeds;
  }

  async run(inputs: readonly RuntimeTensorData[]): Promise<RuntimeTensorData[]> {
    const result = await this.session.run(this.feeds(inputs));
    return this.outputs.map((o) => {
      const t = result[o.name];
      if (!t) throw new LayernasError('MODEL_INVALID', `ONNX Runtime returned no output '${o.name}'`);
      return t.data as RuntimeTensorData;
    });
  }

  async time(options: TimingOptions): Promise<number[]> {
    const feeds = this.feeds(options.inputs ?? this.inputs.map(zerosFor));
    for (let i = 0; i < options.warmup; i++) await this.session.run(feeds);
    const samples: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const t0 = performance.now();
      await this.session.run(feeds);
      samples.push(performance.now() - t0);
    }
    return samples;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

export class OnnxRuntime implements ModelRuntime {
  readonly id = 'onnxruntime';
  readonly version = ORT_VERSION;

  async load(file: string, options: RuntimeLoadOptions): Promise<LoadedModel> {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new LayernasError('USAGE', `threads must be a positive integer, got ${options.threads}`);
    }
    try {
      await access(file);
    } catch (e) {
      throw new LayernasError('MODEL_INVALID', `model file ${file} does not exist or cannot be read`, { file }, { cause: e });
    }
    const ort = await importOrt();
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(file, {
        executionProviders: ['cpu'],
        intraOpNumThreads: options.threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        // Intra-op pool threads spin after each parallel section by default. With several sessions loaded (a profiling
        // batch interleaves 7) every session's spinning thread competes for the cores: on this 2-core VM the speed
        // anchor then moved by 100-180% between batches and 2-thread tables did not predict. Without spinning the
        // same 2-thread network ran 8.8 ms (spinning: 5.9 ms) with a 25% spread of round medians instead of 49%
        // (bench notes in docs/targets.md). 1-thread sessions have no pool threads.
        ...(options.threads > 1 ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
      });
    } catch (e) {
      throw new LayernasError('MODEL_INVALID', `ONNX Runtime cannot load ${file}: ${(e as Error).message}`, { file }, { cause: e });
    }
    return new OrtLoadedModel(ort, session, describe(session.inputMetadata, file), describe(session.outputMetadata, file));
  }
}
