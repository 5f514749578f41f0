/**
 * `layernas verify <export dir> --target <id> [--tolerance 10] [--latency-ms B] [--json]`: the deployed file (the
 * target's precision picks it) measured vs predicted latency and vs the budget, memory, output agreement; exit 1
 * (VERIFY_FAILED) naming every failed check and its threshold (src/verify/checks.ts, shared with design).
 */
import type { CommandModule } from 'yargs';
import { retiredOption } from '../vocabulary.js';
import { z } from 'zod';
import { LayernasError } from '../../core/errors.js';
import { cliNumber, parseArgs } from '../options.js';
import { LATENCY_FALLBACKS } from '../../cost/latency-predictor.js';
import { resolveTarget } from '../../targets/load.js';
import { resolveArchitecture } from './cost.js';
import { resolveModelPath } from '../../export/model-source.js';
import { verifyModel, VERIFY_MODES, type ModelCheckReport } from '../../verify/verify-model.js';
import type { VerifyReport } from '../../verify/verify.js';
import { DEFAULT_TOLERANCE_PCT } from '../../verify/checks.js';

const argsSchema = z.object({
  dir: z.string().min(1),
  target: z.string().min(1).optional(),
  mode: z.enum(VERIFY_MODES),
  tolerance: cliNumber.positive().optional(),
  fallback: z.enum(['none', 'nearest-shape']),
  arch: z.string().optional(),
  rounds: cliNumber.count(1, 1000),
  speedCorrection: z.enum(['anchor', 'none']),
  budgetMs: z.number().positive().optional(),
  json: z.boolean(),
});

export function formatVerifyReport(r: VerifyReport): string {
  const lines = [
    `target ${r.target}, model ${r.modelFile}`,
    `latency: measured ${r.measured.median_ms.toFixed(3)} ms (median of ${r.measured.samples}, IQR ${r.measured.iqr_ms.toFixed(3)}), predicted ${r.predicted.total_ms.toFixed(3)} ms, raw error ${r.rawErrorPct.toFixed(1)}%`,
    r.speed
      ? `speed anchor: machine runs at ${(1 / r.speed.ratio).toFixed(2)}x the table's speed now; model at the table's speed ${r.speed.atTableSpeedMs.toFixed(3)} ms, error ${r.errorPct.toFixed(1)}%${r.speed.applied ? '' : ' (not applied: --speed-correction none)'}`
      : 'speed anchor: none in this table (error is the raw one)',
    `verdict error ${r.errorPct.toFixed(1)}% (tolerance ${r.tolerancePct}%)${r.budgetMs !== null ? `; ${r.judgedMs.toFixed(3)} ms vs budget ${r.budgetMs} ms` : ''}`,
    `memory: ${r.memory ? `${r.memory.mb.toFixed(1)} MB (${r.memory.kind})` : 'not reported'}`,
    `outputs: ${r.agreement ? `${r.agreement.kind === 'reference' ? 'vs reference forward pass' : 'across formats'}: max relative difference ${r.agreement.maxRelativeDiff.toExponential(2)} over ${r.agreement.files.length} files (${r.agreement.ok ? 'ok' : 'MISMATCH'})` : 'not compared (one float file without weights, or on-device run)'}`,
    ...r.warnings.map((w) => `warning: ${w}`),
    ...r.checks.map((c) => `check ${c.passed ? 'ok    ' : c.advisory ? 'warn  ' : 'FAILED'} ${c.name}: ${c.detail}${!c.passed && c.advisory ? ' (not the deployed file: reported, not judged)' : ''}`),
    r.passed ? 'PASS' : 'FAIL',
  ];
  return `${lines.join('\n')}\n`;
}

function formatModelCheck(r: ModelCheckReport): string {
  if (r.full) return formatVerifyReport(r.full);
  const lines = [`mode ${r.mode}${r.target ? `, target ${r.target}` : ''}${r.modelFile ? `, model ${r.modelFile}` : ''}`];
  if (r.io) lines.push(`file: input ${r.io.inputs.map((t) => `${t.name} [${t.shape.join(', ')}] ${t.dtype}`).join('; ')}; output ${r.io.outputs.map((t) => `${t.name} [${t.shape.join(', ')}] ${t.dtype}`).join('; ')}`);
  lines.push(r.arch ? `architecture: from ${r.arch.from}, input matches the file` : 'architecture: none (not needed for this mode)');
  if (r.measured) lines.push(`latency: measured ${r.measured.median_ms.toFixed(3)} ms (median of ${r.measured.samples}, IQR ${r.measured.iqr_ms.toFixed(3)})`);
  if (r.priced && r.priced.total_ms === null) {
    lines.push(`predicted: ${r.priced.priced_ms.toFixed(3)} ms for ${r.priced.layers.length} of ${r.priced.layers.length + r.priced.missing.length} layers (lower bound); missing table keys:`,
      ...r.priced.missing.map((m) => `  layer ${m.index}: ${m.key}`));
  }
  if (r.mode === 'agreement') lines.push(`outputs: ${r.agreement ? `${r.agreement.kind}: max relative difference ${r.agreement.maxRelativeDiff.toExponential(2)} over ${r.agreement.files.length} files (${r.agreement.ok ? 'ok' : 'MISMATCH'})` : 'not compared'}`);
  lines.push(...r.problems.map((p) => `problem: ${p}`), r.passed ? 'PASS' : 'FAIL');
  return `${lines.join('\n')}\n`;
}

export const verifyCommand: CommandModule = {
  command: 'verify <dir>',
  describe: 'run a model on a target: measured vs predicted latency, memory, output agreement (export folder, design run, or any .tflite/.onnx)',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', demandOption: true, describe: 'export folder (manifest.json + model files), design run folder, or a .tflite / .onnx file' })
      .option('target', { type: 'string', describe: "target id or target .json file (every mode but agreement; default: a design run's target)" })
      .option('mode', { choices: VERIFY_MODES as unknown as string[], default: 'auto', describe: 'full: latency vs the table + agreement; timing: measured latency only (no table, no architecture); agreement: outputs only; auto: full when the architecture is known, else timing' })
      .option('tolerance', { type: 'number', describe: `allowed |measured - predicted| / predicted, in % (default: a design run's, else ${DEFAULT_TOLERANCE_PCT})` })
      .option('latency-ms', { type: 'number', describe: 'latency budget (full mode): the deployed file\'s measured latency at the table\'s speed must not exceed it (default: a design run\'s budget)' })
      .option('budget-ms', retiredOption('latency-ms'))
      .option('fallback', { choices: LATENCY_FALLBACKS as unknown as string[], default: 'none', describe: 'price blocks missing from the table (recorded in the report)' })
      .option('arch', { type: 'string', describe: 'network string of the model (checked against the file\'s input)' })
      .option('rounds', { type: 'number', default: 10, describe: 'timing rounds' })
      .option('speed-correction', { choices: ['anchor', 'none'], default: 'anchor', describe: "judge the error at the table's speed (its anchor network timed beside the model), or on the raw median" })
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
      .example('$0 verify runs/fmnist/model --target host-tflite-1t', 'measured vs predicted latency and output agreement')
      .example('$0 verify mobilenet_v2_1.0_224_quant.tflite --target host-tflite-1t --mode timing', 'time any .tflite, no table needed')
      .example('$0 verify model/ --mode agreement', 'outputs of every float file against the reference forward pass'),
  handler: async (argv) => {
    const raw = argv as Record<string, unknown>;
    const args = parseArgs('verify', argsSchema, { ...raw, budgetMs: raw.latencyMs ?? raw.budgetMs });
    const src = resolveModelPath(args.dir);
    if (!src) throw new LayernasError('USAGE', `${args.dir} does not exist (give an export folder, a design run folder, or a .tflite/.onnx file)`, { path: args.dir });
    const arch = args.arch ? { spec: resolveArchitecture(args.arch, {}), text: args.arch } : undefined;
    // a design run carries what its verification judged with: target, budget, tolerance (flags override them)
    const run = arch ? undefined : src.design;
    const targetRef = args.target ?? run?.target;
    const loaded = targetRef ? resolveTarget(targetRef) : null;
    const budgetMs = args.budgetMs ?? run?.budgetMs;
    const report = await verifyModel(src, loaded, {
      mode: args.mode, ...(arch ? { arch } : {}), tolerancePct: args.tolerance ?? run?.tolerancePct ?? DEFAULT_TOLERANCE_PCT, fallback: args.fallback, rounds: args.rounds,
      speedCorrection: args.speedCorrection, ...(budgetMs !== undefined ? { budgetMs } : {}),
    });
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 1)}\n` : formatModelCheck(report));
    if (report.priced && report.priced.total_ms === null) {
      const nearest = report.priced.missing.every((m) => m.sameBlockShapes > 0);
      throw new LayernasError('TABLE_MISSING_KEY', `the table of ${report.target} lacks ${report.priced.missing.length} layer(s) of this network (${report.priced.missing.slice(0, 3).map((m) => m.key).join(', ')}${report.priced.missing.length > 3 ? ', ...' : ''}); ${nearest ? `price them with --fallback nearest-shape, or ` : ''}time the file alone: layernas verify ${args.dir} --target ${report.target} --mode timing`, {
        missing: report.priced.missing.map((m) => m.key),
      });
    }
    if (!report.passed) {
      const full = report.full;
      throw new LayernasError('VERIFY_FAILED', full
        ? `verify failed on ${full.target}: ${full.failures.join('; ')}`
        : `verify failed: ${report.problems.join('; ')}`, { problems: report.problems });
    }
  },
};
