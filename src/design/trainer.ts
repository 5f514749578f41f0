/**
 * The design job's trainer (the shared choice of src/train/choice.ts: tfjs | pytorch | command:<cmd>; external
 * trainers run with LAYERNAS_THREADS = --trainer-threads, default 1). The trained model's own predictions, which the
 * exported files are compared with, are src/verify/test-agreement.ts's.
 */
import { makeTrainer, parseTrainerChoice, type TrainerDevice } from '../train/choice.js';
import type { Trainer } from '../train/types.js';

/** Six hours: a generous ceiling for one external training run (a hung trainer must not block forever). */
const EXTERNAL_TIMEOUT_MS = 6 * 3600 * 1000;

/** `tfjs`, `pytorch` or `command:<cmd>` through the shared trainer choice (src/train/choice.ts); external trainers get `threads` as LAYERNAS_THREADS. */
export function createDesignTrainer(choice: string, threads: number, timeoutMs = EXTERNAL_TIMEOUT_MS, device: TrainerDevice = 'auto'): Trainer {
  return makeTrainer(parseTrainerChoice(choice, { threads, timeoutMs, device }));
}
