/**
 * Which trainer trains: one parser of the user's choice and one factory, used by `layernas design`, `layernas worker`
 * and the training evaluator (local pool and BullMQ jobs carry the parsed configuration, never a command line):
 *   tfjs               the in-process tfjs trainer (src/train/tfjs-trainer.ts)
 *   pytorch            the PyTorch reference trainer (trainers/pytorch/train.py, Debian python3-torch)
 *   command:<argv>     any command speaking the layernas-train/1 protocol (an argument array split on spaces, never a shell)
 */
import { z } from 'zod';
import { LayernasError } from '../core/errors.js';
import { ExternalTrainer, PYTORCH_REFERENCE_COMMAND } from './external.js';
import { TfjsTrainer } from './tfjs-trainer.js';
import type { Trainer } from './types.js';

export const trainerConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('tfjs'), backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']), threads: z.number().int().min(1).max(2).optional() }),
  z.object({
    kind: z.literal('command'), command: z.array(z.string().min(1)).min(1), timeoutMs: z.number().int().positive(),
    /** trainer name in journals and results (default: the program) */
    name: z.string().min(1).optional(),
    /** extra environment, e.g. LAYERNAS_THREADS */
    env: z.record(z.string()).optional(),
    /** where the split files for the command are written (default: os tmpdir) */
    dataCacheDir: z.string().min(1).optional(),
  }),
]);
export type TrainerConfig = z.infer<typeof trainerConfigSchema>;

export interface TrainerChoiceOptions {
  /** external trainers: LAYERNAS_THREADS (absent: not set); tfjs: threads, at most 2 */
  readonly threads?: number;
  /** external trainers: kill a run after this long */
  readonly timeoutMs: number;
  readonly tfjsBackend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  /** external trainers: LAYERNAS_TRAINER_DEVICE (auto: CUDA when the trainer sees a GPU; the PyTorch trainer reads it) */
  readonly device?: TrainerDevice;
}

export const TRAINER_DEVICES = ['auto', 'cpu', 'cuda'] as const;
export type TrainerDevice = (typeof TRAINER_DEVICES)[number];

/** `tfjs`, `pytorch` or `command:<argv>` → trainer configuration (USAGE error naming the choices otherwise) */
export function parseTrainerChoice(choice: string, o: TrainerChoiceOptions): TrainerConfig {
  const vars = {
    ...(o.threads !== undefined ? { LAYERNAS_THREADS: String(o.threads) } : {}),
    ...(o.device !== undefined ? { LAYERNAS_TRAINER_DEVICE: o.device } : {}),
  };
  const env = Object.keys(vars).length > 0 ? { env: vars } : {};
  if (choice === 'tfjs') return { kind: 'tfjs', backend: o.tfjsBackend ?? 'auto', ...(o.threads !== undefined ? { threads: Math.min(2, o.threads) } : {}) };
  if (choice === 'pytorch') return { kind: 'command', name: 'pytorch', command: [...PYTORCH_REFERENCE_COMMAND], timeoutMs: o.timeoutMs, ...env };
  if (choice.startsWith('command:')) {
    const argv = choice.slice('command:'.length).trim().split(/\s+/).filter((a) => a !== '');
    if (argv.length === 0) throw new LayernasError('USAGE', `--trainer ${choice}: give the command after "command:"`, { trainer: choice });
    return { kind: 'command', name: `command:${argv[0]}`, command: argv, timeoutMs: o.timeoutMs, ...env };
  }
  throw new LayernasError('USAGE', `unknown --trainer "${choice}": use tfjs, pytorch or command:<cmd>`, { trainer: choice });
}

export function makeTrainer(config: TrainerConfig): Trainer {
  switch (config.kind) {
    case 'tfjs': return new TfjsTrainer(config.backend, { threads: config.threads ?? 1 });
    case 'command': return new ExternalTrainer({
      name: config.name ?? config.command[0] ?? 'command', command: config.command, timeoutMs: config.timeoutMs, ...(config.env ? { env: config.env } : {}),
      ...(config.dataCacheDir ? { dataCacheDir: config.dataCacheDir } : {}),
    });
  }
}
