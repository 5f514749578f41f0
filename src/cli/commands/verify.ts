/**
 * `layernas verify <export dir> --target <id> [--tolerance 10] [--json]`: measured vs predicted latency, memory,
 * cross-format output agreement; exit 1 (VERIFY_FAILED) when |error| exceeds the tolerance or outputs disagree.
 */
import type { CommandModule } from 'yargs';
import { z } from 'zod';
import { LayernasError } from '../../core/errors.js';
import { cliNumber, parseArgs } from '../options.js';
import { LATENCY_FALLBACKS } from '../../cost/latency-predictor.js';
import { resolveTarget } from '../../targets/load.js';
import { readExportDir } from '../../verify/export-dir.js';
import { verifyExport, type VerifyReport } from '../../verify/verify.js';

const argsSchema = z.object({
  dir: z.string().min(1),
  target: z.string().min(1),
  tolerance: cliNumber.positive(),
  fallback: z.enum(['none', 'nearest-shape']),
  arch: z.string().optional(),
  rounds: cliNumber.count(1, 1000),
  speedCorrection: z.enum(['anchor', 'none']),
  json: z.boolean(),
});

export function formatVerifyReport(r: VerifyReport): string {
  const lines = [
    `target ${r.target}, model ${r.modelFile}`,
    `latency: measured ${r.measured.median_ms.toFixed(3)} ms (median of ${r.measured.samples}, IQR ${r.measured.iqr_ms.toFixed(3)}), predicted ${r.predicted.total_ms.toFixed(3)} ms, raw error ${r.rawErrorPct.toFixed(1)}%`,
    r.speed
      ? `speed anchor: machine runs at ${(1 / r.speed.ratio).toFixed(2)}x the table's speed now; model at the table's speed ${r.speed.atTableSpeedMs.toFixed(3)} ms, error ${r.errorPct.toFixed(1)}%${r.speed.applied ? '' : ' (not applied: --speed-correction none)'}`
      : 'speed anchor: none in this table (error is the raw one)',
    `verdict error ${r.errorPct.toFixed(1)}% (tolerance ${r.tolerancePct}%)`,
    `memory: ${r.memory ? `${r.memory.mb.toFixed(1)} MB (${r.memory.kind})` : 'not reported'}`,
    `outputs: ${r.agreement ? `${r.agreement.kind === 'reference' ? 'vs reference forward pass' : 'across formats'}: max relative difference ${r.agreement.maxRelativeDiff.toExponential(2)} over ${r.agreement.files.length} files (${r.agreement.ok ? 'ok' : 'MISMATCH'})` : 'not compared (one float file without weights, or on-device run)'}`,
    ...r.warnings.map((w) => `warning: ${w}`),
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
      .option('tolerance', { type: 'number', default: 10, describe: 'allowed |measured - predicted| / measured, in %' })
      .option('fallback', { choices: LATENCY_FALLBACKS as unknown as string[], default: 'none', describe: 'price blocks missing from the table (recorded in the report)' })
      .option('arch', { type: 'string', describe: 'network string, when the directory has no manifest.json' })
      .option('rounds', { type: 'number', default: 10, describe: 'timing rounds' })
      .option('speed-correction', { choices: ['anchor', 'none'], default: 'anchor', describe: "judge the error at the table's speed (its anchor network timed beside the model), or on the raw median" })
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' }),
  handler: async (argv) => {
    const args = parseArgs('verify', argsSchema, argv);
    const exp = readExportDir(args.dir, args.arch);
    const report = await verifyExport(exp, resolveTarget(args.target), { tolerancePct: args.tolerance, fallback: args.fallback, rounds: args.rounds, speedCorrection: args.speedCorrection });
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 1)}\n` : formatVerifyReport(report));
    if (!report.passed) {
      throw new LayernasError('VERIFY_FAILED', `verify failed on ${report.target}: latency error ${report.errorPct.toFixed(1)}% (tolerance ${report.tolerancePct}%)${report.agreement && !report.agreement.ok ? ', outputs disagree across formats' : ''}`, {
        errorPct: report.errorPct,
      });
    }
  },
};
