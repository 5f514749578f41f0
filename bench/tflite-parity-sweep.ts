/**
 * The issue's full TFLite parity sweep: every zoo network at its own resolution and N random architectures of
 * every built-in search space (default 50), lowered with deterministic weights, written float32 (and int8 for
 * the first architecture of each group), run in TFLite 2.9 + XNNPack, compared with the reference forward pass.
 * Prints one line per network and a summary; exits 1 when any float error exceeds 1e-4 (relative).
 *
 *   npx tsx bench/tflite-parity-sweep.ts [--per-space 50] [--seed 1]
 */
import { TfliteRuntime } from '../src/runtime/tflite.js';
import { checkCase, spaceCases, zooCases, type SweepResult } from '../test/export/tflite-sweep.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const perSpace = arg('per-space', 50);
const cases = [...zooCases(), ...spaceCases(perSpace, arg('seed', 1))];
const runtime = new TfliteRuntime({ xnnpack: 'required' });
const results: SweepResult[] = [];
const t0 = performance.now();
for (const [i, c] of cases.entries()) {
  const group = c.label.split(' ')[0] as string;
  const int8 = group === 'zoo' || cases.findIndex((d) => d.label.startsWith(`${group} `)) === i;
  const r = await checkCase(c, runtime, int8);
  results.push(r);
  const eta = ((performance.now() - t0) / (i + 1)) * (cases.length - i - 1) / 1000;
  console.log(`[${i + 1}/${cases.length}, eta ${eta.toFixed(0)} s] float rel err ${r.floatError.toExponential(2)}` +
    `${r.int8Error !== undefined ? `  int8 rel err ${r.int8Error.toFixed(3)}` : ''}  ${c.label.slice(0, 110)}`);
}
const groups = new Map<string, SweepResult[]>();
for (const r of results) {
  const g = r.label.split(' ')[0] as string;
  groups.set(g, [...(groups.get(g) ?? []), r]);
}
let failed = 0;
for (const [g, rs] of groups) {
  const worst = Math.max(...rs.map((r) => r.floatError));
  const bad = rs.filter((r) => !(r.floatError <= 1e-4)).length;
  failed += bad;
  console.log(`${g.padEnd(12)} ${rs.length} networks, worst float relative error ${worst.toExponential(2)}, over 1e-4: ${bad}`);
}
console.log(`${results.length} networks in ${((performance.now() - t0) / 1000).toFixed(0)} s; ${failed === 0 ? 'all within 1e-4' : `${failed} over 1e-4`}`);
process.exit(failed === 0 ? 0 : 1);
