/**
 * Profiles the host latency tables layernas ships (latency-tables/host-*.json) and prints profiling time and noise.
 *   npx tsx bench/latency-profile.ts [--targets host-tflite-1t,host-tflite-2t,host-onnxruntime-1t,host-onnxruntime-2t]
 *                                    [--spaces mobilenetv2,fbnet] [--out latency-tables] [--fresh] [--clock wall|cpu] [--calibrate 40] [--calibrate-span 20] [--rounds 5]
 * Resumable: each table keeps its journal in .tmp/profile-journals/ (rerun skips measured keys; --fresh starts over).
 */
import { cpus, hostname, loadavg } from 'node:os';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeTableFile } from '../src/cost/table-convert/shipped.js';
import { backendForTarget } from '../src/platform/registry.js';
import { ExporterModelFactory } from '../src/export/model-factory.js';
import { DEFAULT_PROTOCOL } from '../src/profile/measure.js';
import { calibrationDnas } from '../src/profile/calibration-networks.js';
import { runProfile } from '../src/profile/profiler.js';
import { StderrProgress } from '../src/profile/progress.js';
import { distinctSpaceBlocks, spaceNetwork } from '../src/profile/space-networks.js';
import { loadSpace } from '../src/space/load.js';
import { resolveTarget } from '../src/targets/load.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}
const targets = arg('targets', 'host-tflite-1t,host-tflite-2t,host-onnxruntime-1t,host-onnxruntime-2t').split(',');
const spaces = arg('spaces', 'mobilenetv2,fbnet').split(',');
const outDir = arg('out', 'latency-tables');
/** --clock cpu: process CPU time (1-thread targets only), for an oversubscribed machine; tables get a `.cpu` suffix */
const clock = arg('clock', 'wall') === 'cpu' ? 'cpu' : 'wall';
const suffix = clock === 'cpu' ? '.cpu' : '';
/** interleaved timing rounds per model (like `layernas profile --rounds`) */
const rounds = Number(arg('rounds', String(DEFAULT_PROTOCOL.rounds)));
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer (got ${arg('rounds', '')})`);
const journals = '.tmp/profile-journals';
mkdirSync(journals, { recursive: true });
const machine = `${hostname()} (${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores; shared with other jobs, load avg at start ${loadavg()[0]?.toFixed(1)})`;

const rows: string[] = [];
for (const spaceName of spaces) {
  const space = loadSpace(spaceName);
  const blocks = distinctSpaceBlocks(space);
  const calibration = calibrationDnas(space, { uniform: Number(arg('calibrate', '40')), spanning: Number(arg('calibrate-span', '20')), seed: 101 }).map((d) => spaceNetwork(space, d));
  const input = spaceNetwork(space, space.radix.map(() => 0)).input;
  for (const id of targets) {
    const { target } = resolveTarget(id);
    const name = `${id}-${spaceName}-${input.height}${suffix}`;
    const journal = join(journals, `${name}.jsonl`);
    if (process.argv.includes('--fresh')) rmSync(journal, { force: true });
    const backend = backendForTarget(target, new ExporterModelFactory());
    try {
      backend.checkVersion();
      const load0 = loadavg()[0] ?? 0;
      const r = await runProfile({ target, spaceName, blocks, calibrationNetworks: calibration, input, journalFile: journal, machine, protocol: { ...DEFAULT_PROTOCOL, clock, rounds } }, backend, new StderrProgress());
      const file = join(outDir, `${name}.json`);
      writeTableFile(file, r.table);
      const n = r.table.metadata.noise ?? {};
      rows.push(`${name.padEnd(36)} blocks ${String(blocks.length).padStart(4)}  measured ${String(r.measuredNow).padStart(4)}  resumed ${String(r.resumed).padStart(4)}  time ${(r.elapsedMs / 1000).toFixed(1).padStart(6)} s  median rel IQR ${(100 * (n.median_relative_iqr ?? NaN)).toFixed(1)}%  calibration |err| ${(100 * (n.calibration_median_abs_error_before ?? NaN)).toFixed(1)}% -> ${(100 * (n.calibration_median_abs_error_after ?? NaN)).toFixed(1)}%  anchor spread ${(100 * (n.anchor_spread_ratio ?? NaN)).toFixed(1)}%  load ${load0.toFixed(1)}->${(loadavg()[0] ?? 0).toFixed(1)}`);
      process.stderr.write(`${rows.at(-1)}\n`);
    } finally {
      backend.close();
    }
  }
}
process.stdout.write(`\nprofile results (${new Date().toISOString()}, ${machine})\n${rows.join('\n')}\n`);
