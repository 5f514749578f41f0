/** Training recipes: validated at the edges (CLI, request files, trial options), then trusted. */
import { z } from 'zod';

export const trainSettingsSchema = z.object({
  epochs: z.number().int().positive(),
  batchSize: z.number().int().positive(),
  optimizer: z.enum(['sgd', 'adam']),
  /** peak learning rate; cosine-decayed to 0 over all steps after a linear warm-up */
  lr: z.number().positive(),
  warmupSteps: z.number().int().min(0),
  momentum: z.number().min(0).max(1),
  weightDecay: z.number().min(0),
  labelSmoothing: z.number().min(0).max(1),
  /** train on a seeded, class-balanced subset of this many training images (proxy setting) */
  trainSubset: z.number().int().positive().optional(),
  /** evaluate validation on at most this many images (proxy setting) */
  validationSubset: z.number().int().positive().optional(),
  seed: z.number().int(),
  /**
   * after training, re-estimate BN running statistics as the plain average over this many training batches
   * (no gradient). Short proxy runs otherwise evaluate with statistics that lag the fast-moving weights.
   */
  bnRecalibrationBatches: z.number().int().min(0).default(0),
});

export type TrainSettings = z.infer<typeof trainSettingsSchema>;

/** Proxy setting: a search reward in about a minute per candidate on this class of machine. */
export const PROXY_SETTINGS: TrainSettings = {
  epochs: 2, batchSize: 64, optimizer: 'sgd', lr: 0.1, warmupSteps: 20, momentum: 0.9, weightDecay: 4e-5,
  labelSmoothing: 0.1, trainSubset: 8000, validationSubset: 2000, seed: 0, bnRecalibrationBatches: 10,
};

/** Full setting: final training of chosen candidates on the whole training split. */
export const FULL_SETTINGS: TrainSettings = {
  epochs: 10, batchSize: 64, optimizer: 'sgd', lr: 0.1, warmupSteps: 200, momentum: 0.9, weightDecay: 4e-5,
  labelSmoothing: 0.1, seed: 0, bnRecalibrationBatches: 0,
};

export type TrainSettingName = 'proxy' | 'full';

export function settingsFor(name: TrainSettingName, overrides: Partial<TrainSettings> = {}): TrainSettings {
  return trainSettingsSchema.parse({ ...(name === 'proxy' ? PROXY_SETTINGS : FULL_SETTINGS), ...overrides });
}

/** Learning rate at `step` of `total`: linear warm-up then cosine decay to 0. */
export function learningRateAt(s: TrainSettings, step: number, total: number): number {
  if (step < s.warmupSteps) return (s.lr * (step + 1)) / s.warmupSteps;
  const t = (step - s.warmupSteps) / Math.max(1, total - s.warmupSteps);
  return 0.5 * s.lr * (1 + Math.cos(Math.PI * Math.min(1, t)));
}
