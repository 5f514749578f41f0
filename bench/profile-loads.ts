/**
 * Bench: how much one load per model costs `profile` its repeatability (issue 18's left-over; session 12).
 * `layernas profile --target <t> --space <s>` is run `--repeats` times with `--loads 1` and with `--loads 3` (the
 * default on this host), interleaved (1, 3, 1, 3, ...), each into a fresh table. Every table then prices the same
 * `--networks` random networks of the space (seeded); per network the spread of its predicted latency across the
 * repeats of one setting is (max - min) / median. Printed: the median and 90th percentile of that spread per setting,
 * and the wall time of each profile. The machine's drift hits both settings alike (interleaved runs); the speed
 * anchor already scales each table to one session speed.
 *
 *   npx tsx bench/profile-loads.ts [--target host-tflite-1t] [--space mobile32] [--repeats 3] [--networks 40]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { walkShapes } from '../src/arch/shapes.js';
import { Rng } from '../src/core/rng.js';
import { predictLatency } from '../src/cost/latency-predictor.js';
import { loadTable } from '../src/cost/latency-table.js';
import { spaceNetwork } from '../src/profile/space-networks.js';
import { loadSpace, repoRoot } from '../src/space/load.js';

const { values: o } = parseArgs({ options: { target: { type: 'string', default: 'host-tflite-1t' }, space: { type: 'string', default: 'mobile32' }, repeats: { type: 'string', default: '3' }, networks: { type: 'string', default: '40' } } });
const repeats = Number(o.repeats);
const space = loadSpace(o.space as string);
const rng = new Rng(12);
const nets = Array.from({ length: Number(o.networks) }, () => spaceNetwork(space, space.radix.map((r) => rng.int(r))));
const work = mkdtempSync(join(tmpdir(), 'layernas-profile-loads-'));
const SETTINGS = [1, 3];
const tables: Record<number, string[]> = { 1: [], 3: [] };
const seconds: Record<number, number[]> = { 1: [], 3: [] };
try {
  for (let r = 0; r < repeats; r++) {
    for (const loads of SETTINGS) {
      const out = join(work, `loads${loads}-${r}.json`);
      const t0 = Date.now();
      const p = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot(), 'src', 'cli', 'main.ts'), 'profile', '--target', o.target as string, '--space', o.space as string, '--loads', String(loads), '--out', out, '--json'], { cwd: repoRoot(), encoding: 'utf8' });
      if (p.status !== 0) throw new Error(`profile failed: ${p.stderr.slice(-1500)}`);
      seconds[loads]?.push((Date.now() - t0) / 1000);
      tables[loads]?.push(out);
      console.error(`repeat ${r + 1}/${repeats}, --loads ${loads}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  }
  const q = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))] as number; };
  console.log(`${o.target} ${o.space}: ${repeats} profiles per setting, ${nets.length} networks priced by each table`);
  console.log('loads | spread of a network\'s prediction across profiles: median  p90 | profile wall time (s)');
  for (const loads of SETTINGS) {
    const ts = (tables[loads] ?? []).map((f) => loadTable(f));
    const spreads = nets.map((n) => {
      const p = ts.map((t) => predictLatency(walkShapes(n), t).total_ms);
      return (Math.max(...p) - Math.min(...p)) / q(p, 0.5);
    });
    console.log(`${loads}     | ${(100 * q(spreads, 0.5)).toFixed(1)}%  ${(100 * q(spreads, 0.9)).toFixed(1)}% | ${(seconds[loads] ?? []).map((s) => s.toFixed(0)).join(', ')}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
