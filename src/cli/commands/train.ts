/**
 * `layernas train <arch> --dataset <name|path> [--setting proxy|full] [--trainer tfjs|command] [--out <dir>]`:
 * train one architecture, write weights (docs/weights-format.md) and result.json, print the metrics.
 * External trainers: `--trainer command --command /usr/bin/python3 --command trainers/pytorch/train.py` (argument array).
 */
import type { CommandModule } from 'yargs';
import { DEFAULT_TRAINER } from '../vocabulary.js';
import { z } from 'zod';
import { LayernasError } from '../../core/errors.js';
import { loadDataset, parseDatasetRef } from '../../data/load.js';
import { TRAINER_DEVICES, makeTrainer, parseTrainerChoice } from '../../train/choice.js';
import { settingsFor, trainSettingsSchema } from '../../train/settings.js';
import { resolveArchitecture } from './cost.js';

interface TrainArgs {
  arch: string;
  dataset: string;
  setting: string;
  trainer: string;
  backend: string;
  command?: string[];
  'trial-timeout-ms'?: number;
  'timeout-min'?: number;
  'trainer-device': string;
  epochs?: number;
  'batch-size'?: number;
  lr?: number;
  optimizer?: string;
  seed?: number;
  test: boolean;
  out: string;
  json: boolean;
}

const argsSchema = z.object({
  setting: z.enum(['proxy', 'full']),
  trainer: z.enum(['tfjs', 'pytorch', 'command']),
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']),
  'trial-timeout-ms': z.number().int().positive().default(240 * 60_000),
  'trainer-device': z.enum(TRAINER_DEVICES),
  threads: z.number().int().min(1).max(2),
});

export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train <arch>',
  describe: 'train one architecture (in-process tfjs, the PyTorch reference trainer, or your own command)',
  builder: (y) => y
    .positional('arch', { type: 'string', demandOption: true, describe: 'architecture string or zoo name' })
    .option('dataset', { type: 'string', default: 'fashion-mnist', describe: 'mnist | fashion-mnist | idx:<dir> | folder:<dir>' })
    .option('setting', { type: 'string', default: 'full', describe: 'proxy (few epochs, data subset) or full' })
    .option('trainer', { type: 'string', default: DEFAULT_TRAINER, describe: 'tfjs | pytorch | command (with --command)' })
    .option('trainer-device', { choices: TRAINER_DEVICES as unknown as string[], default: 'auto', describe: 'PyTorch trainer device: auto (CUDA when the machine has a GPU), cpu, cuda' })
    .option('backend', { type: 'string', default: 'auto', describe: 'tfjs backend: auto | tensorflow | wasm | cpu' })
    .option('threads', { type: 'number', default: 1, describe: 'tfjs on wasm: 2 trains data-parallel on two cores (a replica on a worker thread)' })
    .option('command', { type: 'string', array: true, describe: 'external trainer argv, one --command per argument (write --command=-x for arguments starting with -)' })
    .option('trial-timeout-ms', { type: 'number', describe: 'kill an external trainer after this long (default 4 h)' })
    .option('timeout-min', { type: 'number', hidden: true, describe: 'old: the timeout in minutes' })
    .option('epochs', { type: 'number' })
    .option('batch-size', { type: 'number' })
    .option('lr', { type: 'number' })
    .option('optimizer', { type: 'string', describe: 'sgd | adam' })
    .option('seed', { type: 'number' })
    .option('test', { type: 'boolean', default: true, describe: 'also report test-split accuracy' })
    .option('out', { type: 'string', default: 'train-out', describe: 'output directory (weights/, result.json)' })
    .option('json', { type: 'boolean', default: false })
    .example('$0 train in32x32x3/conv_k3_s2_c16/ir_k3_s1_e6_c16/gap/fc_c10 --setting proxy', 'a short proxy training')
    .example('$0 train mobilenet_v2_100 --trainer pytorch --trainer-device auto --out mnv2', 'PyTorch, on the GPU when there is one') as never,
  handler: async (a) => {
    // the retired --timeout-min was minutes; --trial-timeout-ms (the name every command uses) is milliseconds
    const parsed = argsSchema.safeParse({ ...a, ...(a['trial-timeout-ms'] === undefined && a['timeout-min'] !== undefined ? { 'trial-timeout-ms': a['timeout-min'] * 60_000 } : {}) });
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new LayernasError('USAGE', `--${i?.path.join('.')}: ${i?.message}`);
    }
    const o = parsed.data;
    const overrides = trainSettingsSchema.partial().safeParse({
      ...(a.epochs !== undefined ? { epochs: a.epochs } : {}), ...(a['batch-size'] !== undefined ? { batchSize: a['batch-size'] } : {}),
      ...(a.lr !== undefined ? { lr: a.lr } : {}), ...(a.optimizer !== undefined ? { optimizer: a.optimizer } : {}),
      ...(a.seed !== undefined ? { seed: a.seed } : {}),
    });
    if (!overrides.success) throw new LayernasError('USAGE', `bad training option: ${overrides.error.issues[0]?.message}`);
    if (o.trainer === 'command' && !(a.command && a.command.length > 0)) throw new LayernasError('USAGE', '--trainer command needs --command <argv...>');
    const timeoutMs = o['trial-timeout-ms'];
    const trainer = makeTrainer(o.trainer === 'command'
      ? { kind: 'command', command: a.command as string[], timeoutMs, env: { LAYERNAS_TRAINER_DEVICE: o['trainer-device'] } }
      : parseTrainerChoice(o.trainer, { timeoutMs, tfjsBackend: o.backend, device: o['trainer-device'], ...(o.trainer === 'tfjs' ? { threads: o.threads } : {}) }));
    const spec = resolveArchitecture(a.arch, {});
    const dataset = loadDataset(parseDatasetRef(a.dataset));
    const settings = settingsFor(o.setting, overrides.data);
    let last = 0;
    const result = await trainer.train({ spec, dataset, settings, evaluateTest: a.test, outputDir: a.out }, (p) => {
      if (a.json || Date.now() - last < 2000) return;
      last = Date.now();
      process.stderr.write(`epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} ${p.imagesPerSecond.toFixed(1)} img/s\n`);
    });
    if (a.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const m = result.metrics;
    process.stdout.write(`trainer ${result.trainer.name} (${result.trainer.backend}), ${m.params} params, ${m.epochs} epochs on ${m.trainImages} images\n` +
      `validation accuracy ${(m.valAccuracy * 100).toFixed(2)}%${m.testAccuracy !== undefined ? `, test accuracy ${(m.testAccuracy * 100).toFixed(2)}%` : ''}\n` +
      `${m.imagesPerSecond.toFixed(1)} img/s, ${m.wallSeconds.toFixed(0)} s\nweights: ${result.weightsDir}\n`);
  },
};
