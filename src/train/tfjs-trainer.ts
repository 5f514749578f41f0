/** The in-process trainer behind the Trainer interface: backend selection, training, weights and result files. */
import { writeFile, mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { LayernasError } from '../core/errors.js';
import { selectTrainingBackend, type BackendPreference } from './backend.js';
import { buildNetwork } from './network.js';
import type { TrainResult } from './protocol.js';
import { trainNetwork, type EpochProgress } from './trainer.js';
import type { TrainJob, Trainer } from './types.js';
import { checkParameterList, saveNetworkWeights } from './weights-io.js';
import { DataParallelReplica } from './data-parallel.js';

export async function writeResultFile(file: string, result: TrainResult): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, `${JSON.stringify(result, null, 1)}\n`);
    await rename(tmp, file);
  } catch (e) {
    throw new LayernasError('OUTPUT_UNWRITABLE', `cannot write ${file}: ${(e as Error).message}`, { file }, { cause: e });
  }
}

export interface TfjsTrainerOptions {
  /**
   * cores to train on: 2 adds a data-parallel replica on a worker thread (wasm backend only; src/train/data-parallel.ts).
   * Default 1 (a local pool already runs one trial per core).
   */
  readonly threads?: number;
}

export class TfjsTrainer implements Trainer {
  readonly name = 'tfjs';
  constructor(private readonly backend: BackendPreference = 'auto', private readonly options: TfjsTrainerOptions = {}) {}

  async train(job: TrainJob, onProgress?: (p: EpochProgress) => void): Promise<TrainResult> {
    const backend = await selectTrainingBackend(this.backend);
    try {
      await mkdir(job.outputDir, { recursive: true });
    } catch (e) {
      throw new LayernasError('OUTPUT_UNWRITABLE', `cannot create ${job.outputDir}: ${(e as Error).message}`, { dir: job.outputDir }, { cause: e });
    }
    const net = buildNetwork(job.spec, job.settings.seed);
    let replica: DataParallelReplica | undefined;
    try {
      checkParameterList(net);
      const bnGradient = backend.name === 'wasm' ? 'fused' as const : 'custom' as const;
      const pointwise = backend.name === 'cpu' ? 'matmul' as const : 'conv' as const;
      if ((this.options.threads ?? 1) >= 2 && backend.name === 'wasm' && job.settings.batchSize >= 2) {
        replica = await DataParallelReplica.start(job.spec, net.store.params.filter((p) => p.trainable), job.settings.seed, job.settings.labelSmoothing,
          { training: true, bnMomentum: 0.1, bnGradient, pointwise }, job.settings.batchSize);
      }
      const metrics = await trainNetwork(net, job.dataset, job.settings, {
        evaluateTest: job.evaluateTest, bnGradient, pointwise,
        ...(job.signal ? { signal: job.signal } : {}),
        ...(replica ? { replica } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
      const weightsDir = join(job.outputDir, 'weights');
      await saveNetworkWeights(net, weightsDir);
      const result: TrainResult = {
        protocol: 'layernas-train/1',
        trainer: { name: 'tfjs', backend: replica ? `${backend.name} x2 (data-parallel replica)` : backend.name, version: backend.reason },
        metrics, weightsDir,
      };
      await writeResultFile(join(job.outputDir, 'result.json'), result);
      return result;
    } finally {
      await replica?.close();
      net.dispose();
    }
  }
}
