/**
 * `layernas verify <export dir> --target <id> [--tolerance 10] [--budget-ms B] [--json]`: the deployed file (the
 * target's precision picks it) measured vs predicted latency and vs the budget, memory, output agreement; exit 1
 * (VERIFY_FAILED) naming every failed check and its threshold.
 */
import type { CommandModule } from 'yargs';
import { z } from 'zod';
import { LayernasError } from '../../core/errors.js';
import { LATENCY_FALLBACKS } from '../../cost/latency-predictor.js';
import { resolveTarget } from '../../targets/load.js';
import { readExportDir } from '../../verify/export-dir.js';
import { verifyExport, type VerifyReport } from '../../verify/verify.js';

const argsSchema = z.object({
  dir: z.string().min(1),
  target: z.string().min(1),
  tolerance: z.number().positive(),
  fallback: z.enum(['none', 'nearest-shape']),
  arch: z.string().optional(),
  rounds: z.number().int().min(1).max(1000),
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
    ...r.checks.map((c) => `check ${c.passed ? 'ok    ' : 'FAILED'} ${c.name}: ${c.detail}`),
    r.passed ? 'PASS' : 'FAIL',
  ];
  return `${lines.join('\n')}\n`;
}

export const verifyCommand: CommandModule = {
  command: 'verify <dir>',
  describe: 'run an exported model on a target: measured vs predicted latency, memory, output agreement across formats',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', demandOption: true, describe: 'export directory (manifest.json + model files)' })
      .option('target', { type: 'string', demandOption: true, describe: 'target id or target .json file' })
      .option('tolerance', { type: 'number', default: 10, describe: 'allowed |measured - predicted| / predicted, in %' })
      .option('budget-ms', { type: 'number', describe: 'latency budget: the measured latency (at the table\'s speed) must not exceed it' })
      .option('fallback', { choices: LATENCY_FALLBACKS as unknown as string[], default: 'none', describe: 'price blocks missing from the table (recorded in the report)' })
      .option('arch', { type: 'string', describe: 'network string, when the directory has no manifest.json' })
      .option('rounds', { type: 'number', default: 10, describe: 'timing rounds' })
      .option('speed-correction', { choices: ['anchor', 'none'], default: 'anchor', describe: "judge the error at the table's speed (its anchor network timed beside the model), or on the raw median" })
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' }),
  handler: async (argv) => {
    const args = argsSchema.parse(argv);
    const exp = readExportDir(args.dir, args.arch);
    const report = await verifyExport(exp, resolveTarget(args.target), {
      tolerancePct: args.tolerance, fallback: args.fallback, rounds: args.rounds, speedCorrection: args.speedCorrection,
      ...(args.budgetMs !== undefined ? { budgetMs: args.budgetMs } : {}),
    });
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 1)}\n` : formatVerifyReport(report));
    if (!report.passed) {
      throw new LayernasError('VERIFY_FAILED', `verify failed on ${report.target}: ${report.failures.join('; ')}`, {
        errorPct: report.errorPct, failures: report.failures,
      });
    }
  },
};
