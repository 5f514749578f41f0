/**
 * The same training several times with seeds s, s+1, ... (each its own init, data order and training subset), and the
 * metrics of the set: the proxy reward of a search candidate is the mean validation accuracy of its runs
 * (design --proxy-runs; training evaluator option `runs`), because one short run is mostly seed noise
 * (docs/training.md, Kendall measurements).
 */
import { join } from 'node:path';
import type { TrainResult } from './protocol.js';
import type { Trainer, TrainJob } from './types.js';

/** Runs one after another; with more than one, run k writes under `<outputDir>/run-<k>`. Run 0 is the job as given. */
export async function trainRuns(trainer: Trainer, job: TrainJob, runs: number): Promise<TrainResult[]> {
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`trainRuns: runs must be a positive integer, got ${runs}`);
  const results: TrainResult[] = [];
  for (let k = 0; k < runs; k++) {
    const outputDir = runs === 1 ? job.outputDir : join(job.outputDir, `run-${k}`);
    results.push(await trainer.train({ ...job, settings: { ...job.settings, seed: job.settings.seed + k }, outputDir }));
  }
  return results;
}

/**
 * Journal metrics of a set of runs: val_acc, train_loss, images_per_second and test_acc (when tested) as means,
 * train_seconds summed, params of the network, and with several runs each run's val_acc_run<k>.
 */
export function runsMetrics(results: readonly TrainResult[]): Record<string, number> {
  const first = results[0];
  if (!first) throw new RangeError('runsMetrics: no runs');
  const mean = (f: (m: TrainResult['metrics']) => number): number => results.reduce((s, r) => s + f(r.metrics), 0) / results.length;
  const metrics: Record<string, number> = {
    val_acc: mean((m) => m.valAccuracy), train_loss: mean((m) => m.trainLoss), images_per_second: mean((m) => m.imagesPerSecond),
    train_seconds: results.reduce((s, r) => s + r.metrics.wallSeconds, 0), params: first.metrics.params,
  };
  if (results.length > 1) results.forEach((r, k) => { metrics[`val_acc_run${k}`] = r.metrics.valAccuracy; });
  if (results.every((r) => r.metrics.testAccuracy !== undefined)) metrics.test_acc = mean((m) => m.testAccuracy as number);
  return metrics;
}
