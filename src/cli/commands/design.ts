/**
 * `layernas design [--target <id>] [--latency-ms <x>] [--madds-max <m>] [--dataset <ref>] [--trials N] ...`: the
 * end-to-end job (src/design/run-design.ts). With no flags it runs the embedded default (DEFAULT_DESIGN: host
 * TFLite, mobile32, Fashion-MNIST, ~15 min on 2 cores). Progress on stderr (text, --json events, --quiet none);
 * stdout: where the model and the report are (or the summary as JSON with --json).
 */
import type { CommandModule } from 'yargs';
import { COMPARISONS, DEFAULT_DESIGN, designOptionsSchema, type DesignOptions } from '../../design/options.js';
import { designProgress } from '../../design/progress.js';
import { runDesign } from '../../design/run-design.js';
import { redisDispatcherFromArgs, withRedisDispatchOptions } from '../../dispatch/create.js';
import { outputDirPath, parseArgs } from '../options.js';
import { retiredOption } from '../vocabulary.js';
import { TRAINER_DEVICES } from '../../train/choice.js';
import { LayernasError } from '../../core/errors.js';

/** option keys whose flag is not their kebab-case name */
const DESIGN_FLAGS: Record<string, string> = { parallelTrials: 'parallel', latencyTables: 'latency-table', tolerancePct: 'tolerance', proxy: 'proxy-*', full: 'full-*' };

function numberList(v: unknown): unknown {
  return v === undefined ? undefined : Number(v);
}

export function designOptionsFromArgv(argv: Record<string, unknown>): DesignOptions {
  const d = DEFAULT_DESIGN;
  const pick = <T>(v: unknown, fallback: T): unknown => (v === undefined ? fallback : v);
  const raw = {
    target: pick(argv.target, d.target),
    latencyMs: pick(argv['latency-ms'], d.latencyMs),
    ...(argv['madds-max'] !== undefined ? { maddsMax: numberList(argv['madds-max']) } : {}),
    space: pick(argv.space, d.space),
    dataset: pick(argv.dataset, d.dataset),
    trials: pick(argv.trials, d.trials),
    finalists: pick(argv.finalists, d.finalists),
    trainer: pick(argv.trainer, d.trainer),
    trainerThreads: pick(argv.threads ?? argv['trainer-threads'], d.trainerThreads),
    trainerDevice: pick(argv['trainer-device'], d.trainerDevice),
    trialTimeoutMs: pick(argv['trial-timeout-ms'], d.trialTimeoutMs),
    parallelTrials: pick(argv.parallel, d.parallelTrials),
    proxy: {
      ...d.proxy,
      ...(argv['proxy-epochs'] !== undefined ? { epochs: argv['proxy-epochs'] } : {}),
      ...(argv['proxy-images'] !== undefined ? { trainSubset: argv['proxy-images'] } : {}),
      ...(argv['proxy-val-images'] !== undefined ? { validationSubset: argv['proxy-val-images'] } : {}),
      ...(argv['proxy-bn-batches'] !== undefined ? { bnRecalibrationBatches: argv['proxy-bn-batches'] } : {}),
      ...(argv['proxy-optimizer'] !== undefined ? { optimizer: argv['proxy-optimizer'] } : {}),
      ...(argv['proxy-lr'] !== undefined ? { lr: argv['proxy-lr'] } : {}),
    },
    proxyRuns: pick(argv['proxy-runs'], d.proxyRuns),
    full: {
      ...d.full,
      ...(argv['full-epochs'] !== undefined ? { epochs: argv['full-epochs'] } : {}),
      ...(argv['full-images'] !== undefined ? { trainSubset: argv['full-images'] } : {}),
      ...(argv['full-val-images'] !== undefined ? { validationSubset: argv['full-val-images'] } : {}),
      ...(argv['full-optimizer'] !== undefined ? { optimizer: argv['full-optimizer'] } : {}),
      ...(argv['full-lr'] !== undefined ? { lr: argv['full-lr'] } : {}),
    },
    ...(argv['test-images'] !== undefined ? { testImages: argv['test-images'] } : {}),
    ...(argv['agreement-images'] !== undefined || d.agreementImages !== undefined ? { agreementImages: pick(argv['agreement-images'], d.agreementImages) } : {}),
    calibrationImages: pick(argv['calibration-images'], d.calibrationImages),
    compare: pick(argv.compare, d.compare),
    tolerancePct: pick(argv.tolerance, d.tolerancePct),
    latencyTables: pick(argv['latency-table'], d.latencyTables),
    profileRounds: pick(argv['profile-rounds'], d.profileRounds),
    out: pick(argv.out, d.out),
    seed: pick(argv.seed, d.seed),
  };
  return parseArgs('design', designOptionsSchema.extend({ out: outputDirPath }), raw, (key) => DESIGN_FLAGS[key] ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
}

export const designCommand: CommandModule = {
  command: 'design',
  describe: 'design a model for a target and latency budget: search, train, export (TFLite float32/int8, ONNX), verify, report',
  builder: (y) =>
    withRedisDispatchOptions(y)
      .option('target', { type: 'string', describe: `target id or .json (default ${DEFAULT_DESIGN.target})` })
      .option('latency-ms', { type: 'number', describe: `latency budget on the target in ms (default ${DEFAULT_DESIGN.latencyMs})` })
      .option('madds-max', { type: 'number', describe: 'optional MAdds budget' })
      .option('space', { type: 'string', describe: `search space: mobile32, fbnet or a space .json (default ${DEFAULT_DESIGN.space})` })
      .option('dataset', { type: 'string', describe: `fashion-mnist | mnist | idx:<dir> | folder:<dir> (default ${DEFAULT_DESIGN.dataset})` })
      .option('trials', { type: 'number', describe: `search trials, each a proxy training (default ${DEFAULT_DESIGN.trials})` })
      .option('finalists', { type: 'number', describe: `best search candidates trained with the full recipe (default ${DEFAULT_DESIGN.finalists})` })
      .option('trainer', { type: 'string', describe: `tfjs | pytorch | command:<cmd> (default ${DEFAULT_DESIGN.trainer})` })
      .option('threads', { type: 'number', describe: `threads of one training (PyTorch/command trainer; default ${DEFAULT_DESIGN.trainerThreads})` })
      .option('trainer-threads', retiredOption('threads'))
      .option('trainer-device', { choices: TRAINER_DEVICES as unknown as string[], describe: 'PyTorch trainer device: auto (CUDA when the machine has a GPU; default), cpu, cuda' })
      .option('trial-timeout-ms', { type: 'number', describe: 'kill an external trainer after this long; its trial is trained again on resume (default 6 h)' })
      .option('parallel', { type: 'number', describe: `trainings run at once: search trials and final models (default ${DEFAULT_DESIGN.parallelTrials}; 2 uses both cores of a 2-core machine with 1 trainer thread each)` })
      .option('proxy-epochs', { type: 'number', describe: `proxy recipe epochs (default ${DEFAULT_DESIGN.proxy.epochs})` })
      .option('proxy-images', { type: 'number', describe: `proxy recipe training images (default ${DEFAULT_DESIGN.proxy.trainSubset})` })
      .option('proxy-val-images', { type: 'number', describe: `validation images of the proxy reward (default ${DEFAULT_DESIGN.proxy.validationSubset})` })
      .option('proxy-bn-batches', { type: 'number', describe: `training batches the BN statistics are recalibrated on after proxy training (default ${DEFAULT_DESIGN.proxy.bnRecalibrationBatches})` })
      .option('proxy-runs', { type: 'number', describe: `proxy trainings per candidate (seeds seed, seed+1, ...); reward = their mean validation accuracy (default ${DEFAULT_DESIGN.proxyRuns})` })
      .option('full-epochs', { type: 'number', describe: `full recipe epochs (default ${DEFAULT_DESIGN.full.epochs})` })
      .option('full-images', { type: 'number', describe: `full recipe training images (default ${DEFAULT_DESIGN.full.trainSubset})` })
      .option('proxy-optimizer', { type: 'string', describe: `proxy recipe optimizer sgd | adam (default ${DEFAULT_DESIGN.proxy.optimizer ?? 'sgd'})` })
      .option('proxy-lr', { type: 'number', describe: `proxy recipe peak learning rate (default ${DEFAULT_DESIGN.proxy.lr})` })
      .option('full-optimizer', { type: 'string', describe: `full recipe optimizer sgd | adam (default ${DEFAULT_DESIGN.full.optimizer ?? 'sgd'})` })
      .option('full-lr', { type: 'number', describe: `full recipe peak learning rate (default ${DEFAULT_DESIGN.full.lr})` })
      .option('full-val-images', { type: 'number', describe: 'validation images of the full recipe (default: the whole validation split)' })
      .option('test-images', { type: 'number', describe: 'test final models on the first N test images (default: the whole test split; for quick checks)' })
      .option('agreement-images', { type: 'number', describe: `test images compared between exported files and the trained model (default ${DEFAULT_DESIGN.agreementImages ?? 'all'})` })
      .option('tolerance', { type: 'number', describe: `verification: allowed |measured - predicted| / predicted latency of the deployed file, in % (default ${DEFAULT_DESIGN.tolerancePct}; as verify --tolerance)` })
      .option('calibration-images', { type: 'number', describe: `training images calibrating the int8 model (default ${DEFAULT_DESIGN.calibrationImages})` })
      .option('compare', { type: 'array', string: true, choices: [...COMPARISONS], describe: 'also train, with the full recipe: baseline (hand-designed) and/or random (random search, same trials)' })
      .option('latency-table', { type: 'array', string: true, describe: 'extra latency table file(s) to price the space with before profiling' })
      .option('profile-rounds', { type: 'number', describe: `timing rounds when profiling a host target (default ${DEFAULT_DESIGN.profileRounds})` })
      .option('out', { type: 'string', describe: `output directory (default ${DEFAULT_DESIGN.out}); rerun with the same --out to resume` })
      .option('seed', { type: 'number', describe: 'seed of search, training and calibration (default 0)' })
      .option('quiet', { type: 'boolean', describe: 'no progress output' })
      .option('json', { type: 'boolean', describe: 'progress as JSON lines on stderr, summary as JSON on stdout' })
      .conflicts('quiet', 'json')
      .example('$0 design', 'the default job: Fashion-MNIST, host TFLite, 0.5 ms budget')
      .example('$0 design --target pixel3-tflite --space fbnet --latency-ms 5 --out my-run', 'a phone target and a space its tables cover')
      .example('$0 design --compare baseline random --out cmp', 'also train a hand-designed baseline and the random-search best'),
  handler: async (argv) => {
    const opts = designOptionsFromArgv(argv as Record<string, unknown>);
    const json = argv.json === true;
    const progress = designProgress(json ? 'json' : argv.quiet === true ? 'quiet' : 'text');
    const dispatcher = await redisDispatcherFromArgs(argv as Record<string, unknown>);
    const r = await runDesign(opts, progress, dispatcher).finally(() => dispatcher?.close());
    const winner = r.summary.finals.find((f) => f.role === 'winner');
    const failures = r.summary.verifyFailures ?? [];
    const warnings = r.summary.verifyWarnings ?? [];
    // every output is written before a failed verification exits non-zero (VERIFY_FAILED names each failed check)
    const failIfUnverified = (): void => {
      if (r.summary.verifyPassed) return;
      throw new LayernasError('VERIFY_FAILED', `verification of the deployed model failed (${r.summaryFile}): ${failures.join('; ') || 'see the summary'}`, { failures });
    };
    if (json) {
      process.stdout.write(`${JSON.stringify({ summary: r.summaryFile, report: r.reportFile, modelDir: r.modelDir, trainedNow: r.trainedNow, winner, verifyPassed: r.summary.verifyPassed, verifyFailures: failures, verifyWarnings: warnings }, null, 1)}\n`);
      failIfUnverified();
      return;
    }
    process.stdout.write([
      `winner: ${winner?.arch ?? '?'}`,
      `  test accuracy ${winner ? (100 * winner.testAccuracy).toFixed(2) : '?'}%, predicted latency ${winner?.predictedLatencyMs.toFixed(3) ?? '?'} ms on ${r.summary.target} (budget ${r.summary.budget.latencyMs} ms), verification ${r.summary.verifyPassed ? 'passed' : 'NOT passed'}`,
      `model files: ${r.modelDir} (model_float32.tflite, model_int8.tflite, model.onnx)`,
      `report:      ${r.reportFile}`,
      `summary:     ${r.summaryFile}`,
      ...failures.map((f) => `verification: ${f}`),
      ...warnings.map((w) => `warning: ${w}`),
      '',
    ].join('\n'));
    failIfUnverified();
  },
};
