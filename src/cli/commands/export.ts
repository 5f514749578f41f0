/**
 * `layernas export <arch|zoo-name|result.json> --format tflite,onnx,tfjs [--weights <dir>] [--int8 --calibration <data>]
 *  --out <dir>`: model files + weights + manifest.json, each file written atomically, every model verified in its
 * runtime against the reference forward pass (unless --no-verify).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CommandModule } from 'yargs';
import { z } from 'zod';
import { parseNetwork } from '../../arch/grammar.js';
import type { NetworkSpec } from '../../arch/spec.js';
import { initWeights, readWeights } from '../../arch/weights.js';
import { LayernasError } from '../../core/errors.js';
import { loadDataset, parseDatasetRef } from '../../data/load.js';
import { InputConverter } from '../../data/batches.js';
import { stratifiedSubset } from '../../data/splits.js';
import { EXPORT_FORMATS, INT8_FORMATS, parityInput, type ExportFormat, type Int8Request } from '../../export/index.js';
import { exportModel } from '../../platform/export-model.js';
import { deployFacts, type DeployFacts } from '../../export/deploy-info.js';
import { resolveModelPath, type ModelSource } from '../../export/model-source.js';
import { loadSpace } from '../../space/load.js';
import { decodeNetwork } from '../../space/network.js';
import { resolveArchitecture } from './cost.js';

const argsSchema = z.object({
  arch: z.string().min(1),
  format: z.string().transform((s, ctx) => {
    const list = s.split(',').map((f) => f.trim()).filter(Boolean);
    const bad = list.filter((f) => !(EXPORT_FORMATS as readonly string[]).includes(f));
    if (bad.length || list.length === 0) ctx.addIssue({ code: 'custom', message: `unknown format(s) '${bad.join(',') || s}'; choose from ${EXPORT_FORMATS.join(', ')}` });
    return [...new Set(list)] as ExportFormat[];
  }),
  out: z.string().min(1),
  weights: z.string().min(1).optional(),
  seed: z.number().int().nonnegative(),
  int8: z.boolean(),
  calibration: z.string().min(1).optional(),
  'calibration-count': z.number().int().positive().max(10000),
  'int8-io': z.enum(['float', 'int8']),
  softmax: z.boolean(),
  verify: z.boolean(),
  threads: z.number().int().positive().max(256),
  input: z.number().int().positive().max(16384).optional(),
  classes: z.number().int().positive().max(65536).optional(),
  space: z.string().min(1).optional(),
  dataset: z.string().min(1).optional(),
  'int8-agreement': z.enum(['error', 'warn']),
  json: z.boolean(),
});
type ExportArgs = z.infer<typeof argsSchema>;

const resultSchema = z.object({
  network: z.string().optional(),
  arch: z.string().optional(),
  space: z.string().optional(),
  best: z.object({ network: z.string().optional(), arch: z.string().optional(), dna: z.array(z.number().int()).optional() }).passthrough().nullable().optional(),
}).passthrough();

/** a search / design result file: `network`, or `best.network`, or `best.dna` + space (file `space` or --space) */
function specFromResultFile(file: string, a: ExportArgs): NetworkSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new LayernasError('USAGE', `${file} is not readable JSON: ${(e as Error).message}`, { file });
  }
  const r = resultSchema.safeParse(raw);
  if (!r.success) throw new LayernasError('USAGE', `${file}: not a search result (${r.error.issues[0]?.message ?? ''})`, { file });
  const network = r.data.network ?? r.data.best?.network;
  if (network) return parseNetwork(network);
  const dna = r.data.best?.dna;
  const space = a.space ?? r.data.space;
  if (dna && space) return decodeNetwork(loadSpace(space), dna, a.classes);
  const arch = r.data.arch ?? r.data.best?.arch;
  if (arch && !space) return resolveArchitecture(arch, { ...(a.input ? { input: a.input } : {}), ...(a.classes ? { classes: a.classes } : {}) });
  throw new LayernasError('USAGE', `${file}: no 'network' string and no best.dna + space; give --space <name> for a search result`, { file });
}

/** --calibration, else the dataset the weights were trained on (design run or --dataset), else seeded random inputs */
function calibrationInputs(spec: NetworkSpec, a: ExportArgs, trainedOn: string | undefined, log: (m: string) => void): Int8Request {
  const count = a['calibration-count'];
  const ref = a.calibration ?? trainedOn ?? 'random';
  if (!a.calibration) {
    log(trainedOn ? `int8: calibrating on ${trainedOn} (the weights' dataset; --calibration <data> to choose)`
      : 'int8: no --calibration and no dataset known: activation ranges from seeded random inputs; give --calibration <data> ' +
        '(the data the model will see) for the accuracy of trained weights');
  }
  if (ref === 'random') {
    return { calibration: Array.from({ length: count }, (_, i) => parityInput(spec, 1000 + i)), description: `${count} seeded uniform [0,1] inputs`, io: a['int8-io'] };
  }
  const ds = loadDataset(parseDatasetRef(ref));
  const subset = stratifiedSubset(ds.train, Math.min(count, ds.train.count), a.seed);
  const conv = new InputConverter(subset, spec.input);
  const calibration = Array.from({ length: subset.count }, (_, i) => {
    const x = new Float32Array(conv.perImage);
    conv.convertInto(subset, i, x, 0);
    return x;
  });
  return { calibration, description: `${subset.count} training images of ${ds.name} (stratified, seed ${a.seed})`, io: a['int8-io'] };
}

/** labels and preprocessing from the dataset the weights were trained on (--dataset, or the design run's) */
function deployFromDataset(spec: NetworkSpec, ref: string | undefined): DeployFacts {
  if (!ref) return deployFacts(spec);
  const ds = loadDataset(parseDatasetRef(ref));
  return deployFacts(spec, { source: { height: ds.train.height, width: ds.train.width, channels: ds.train.channels }, labels: ds.classNames, dataset: ds.name });
}

/** a design run folder: the winner's architecture, its trained weights (<run>/model) and dataset (summary.json) */
function fromDesignRun(src: ModelSource, a: ExportArgs): { spec: NetworkSpec; weightsDir: string | null; dataset: string | undefined } {
  const summaryFile = join(src.ref, 'summary.json');
  const dataset = (JSON.parse(readFileSync(summaryFile, 'utf8')) as { dataset?: string }).dataset;
  if (!src.weightsDir && !a.weights) throw new LayernasError('USAGE', `${src.ref}: the design run has no trained weights in ${src.dir}; give --weights <dir>`, { dir: src.dir });
  // the summary names the dataset with its test-subset suffix (fashion-mnist#test2000)
  return { spec: src.spec as NetworkSpec, weightsDir: a.weights ?? src.weightsDir, dataset: a.dataset ?? dataset?.split('#')[0] };
}

export const exportCommand: CommandModule = {
  command: 'export <arch>',
  describe: 'export a network (zoo name, network string, export folder, design run folder, or search result JSON) to TFLite / ONNX / TF.js with a manifest',
  builder: (y) => y
    .positional('arch', { type: 'string', describe: 'zoo name, network string, design run folder (its winner), export folder, or a result .json' })
    .option('format', { type: 'string', default: 'tflite,onnx', describe: `comma-separated: ${EXPORT_FORMATS.join(', ')}` })
    .option('out', { type: 'string', demandOption: true, describe: 'output directory' })
    .option('weights', { type: 'string', describe: 'weights directory (weights.json + weights.bin); default: deterministic random init' })
    .option('seed', { type: 'number', default: 0, describe: 'seed of the random init (without --weights) and of calibration sampling' })
    .option('int8', { type: 'boolean', default: false, describe: 'also write int8 post-training-quantized models (TFLite; ONNX as QDQ)' })
    .option('calibration', { type: 'string', describe: 'calibration data for --int8: mnist | fashion-mnist | idx:<dir> | folder:<dir> | random (default: the weights\' dataset, else random)' })
    .option('calibration-count', { type: 'number', default: 100, describe: 'calibration images (each one ONNX Runtime pass, shared by the TFLite and ONNX int8 models)' })
    .option('int8-io', { type: 'string', choices: ['float', 'int8'], default: 'float', describe: 'int8 model input/output type' })
    .option('softmax', { type: 'boolean', default: false, describe: 'append softmax (output "probabilities" instead of "logits")' })
    .option('verify', { type: 'boolean', default: true, describe: 'load every model in its runtime and compare with the reference (--no-verify to skip)' })
    .option('threads', { type: 'number', default: 1 })
    .option('input', { type: 'number', describe: 'input resolution for zoo models / network strings' })
    .option('classes', { type: 'number', describe: 'classifier outputs for zoo models' })
    .option('space', { type: 'string', describe: 'search space of a result file holding a DNA' })
    .option('dataset', { type: 'string', describe: 'dataset the weights were trained on (mnist | fashion-mnist | idx:<dir> | folder:<dir>): labels and preprocessing for the manifest and the files\' metadata' })
    .option('int8-agreement', { choices: ['error', 'warn'], default: 'error', describe: 'an int8 model whose top-1 differs from the float reference fails the export (error) or is only recorded (warn)' })
    .option('json', { type: 'boolean', default: false, describe: 'print the manifest as JSON' })
    .example('$0 export mobilenet_v2_100 --out mnv2', 'random-init MobileNetV2 as .tflite + .onnx')
    .example('$0 export runs/fmnist --out app-model', "re-export a design run's winner with its trained weights")
    .example('$0 export in32x32x3/conv_k3_s2_c16/gap/fc_c10 --weights w/ --dataset fashion-mnist --int8 --calibration fashion-mnist --out m', 'trained weights, labels and preprocessing, int8') as never,
  handler: async (argv) => {
    const parsed = argsSchema.safeParse(argv);
    if (!parsed.success) throw new LayernasError('USAGE', `export: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const a = parsed.data;
    if (!a.int8 && a.calibration) throw new LayernasError('USAGE', 'export: --calibration is only used with --int8');
    if (a.int8 && !a.format.some((f) => INT8_FORMATS.includes(f))) throw new LayernasError('USAGE', 'export: --int8 produces TFLite and ONNX (QDQ) models; add tflite or onnx to --format');
    // summary.json of a design run stands for its folder; a trainer's result.json brings its weights/ folder
    const ref = basename(a.arch) === 'summary.json' ? dirname(a.arch) : a.arch;
    const trainedBeside = basename(a.arch) === 'result.json' && existsSync(join(dirname(a.arch), 'weights', 'weights.json')) ? join(dirname(a.arch), 'weights') : undefined;
    const src = resolveModelPath(ref);
    const run = src?.kind === 'design-run' ? fromDesignRun(src, a) : null;
    // a trainer's result.json names no architecture: its request.json beside it does (layernas-train/1)
    const request = trainedBeside ? join(dirname(a.arch), 'request.json') : undefined;
    const requestArch = request && existsSync(request) ? (JSON.parse(readFileSync(request, 'utf8')) as { arch?: unknown }).arch : undefined;
    const spec = run ? run.spec
      : typeof requestArch === 'string' ? parseNetwork(requestArch)
      : a.arch.endsWith('.json') && existsSync(a.arch) ? specFromResultFile(a.arch, a)
        : src?.spec ? src.spec
          : resolveArchitecture(a.arch, { ...(a.input ? { input: a.input } : {}), ...(a.classes ? { classes: a.classes } : {}) });
    const weightsDir = run ? run.weightsDir : (a.weights ?? trainedBeside ?? (src?.kind === 'export-dir' ? src.weightsDir ?? undefined : undefined));
    const weights = weightsDir ? await readWeights(weightsDir) : initWeights(spec, a.seed);
    const deploy = deployFromDataset(spec, run ? run.dataset : a.dataset);
    const log = (m: string): void => { if (!a.json) process.stderr.write(`${m}\n`); };
    const result = await exportModel({
      spec, weights, weightsSource: weightsDir ?? `init:seed=${a.seed}`, formats: a.format, outDir: a.out, softmax: a.softmax, deploy, int8Agreement: a['int8-agreement'],
      ...(a.int8 ? { int8: calibrationInputs(spec, a, run ? run.dataset : a.dataset, log) } : {}), verify: a.verify, threads: a.threads, onProgress: log,
    });
    if (a.json) process.stdout.write(`${JSON.stringify(result.manifest, null, 2)}\n`);
    else {
      const lines = result.manifest.models.map((m) => `  ${m.path}  ${m.precision}  ${m.files.reduce((s, f) => s + f.bytes, 0)} bytes` +
        (m.parity ? `  parity ${m.parity.relDiff.toExponential(2)}${m.parity.tolerance !== null ? ` (≤ ${m.parity.tolerance})` : ''}` : ''));
      process.stdout.write(`exported ${result.manifest.name ?? 'network'} (${result.manifest.madds} MAdds, ${result.manifest.params} params) to ${a.out}\n${lines.join('\n')}\n  manifest: ${result.manifestPath}\n`);
    }
  },
};
