/**
 * Writes an example "own measurements" CSV for the NB201 space the way R's write.csv does (BOM, every header and
 * field quoted, CRLF), plus two broken copies, to try `--csv` / `--cost csv:<column>` by hand:
 *   <dir>/mine.csv         arch, "top1 (%)" (CIFAR-10 test accuracy), "my latency (ms)", "name" (text with a comma)
 *   <dir>/mine-missing.csv the row of architecture index 100 removed
 *   <dir>/mine-typo.csv    row 42 with a misspelled op (nor_conv_3x4)
 * "my latency (ms)" stands in for your own device: 0.8 x the Raspberry Pi 4 latency + (index mod 5) x 0.01 ms.
 * Run: npx tsx bench/make-user-csv.ts <dir>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeArch } from '../src/space/decode.js';
import { dnaFromIndex, spaceSize } from '../src/space/types.js';
import { buildProblem } from '../src/study/problem.js';

const dir = process.argv[2] ?? 'user-csv';
mkdirSync(dir, { recursive: true });
const ref = buildProblem({ space: 'nb201', dataset: 'cifar10', constraints: [{ cost: 'latency:raspi4', high: Infinity }] });
const lat = ref.constraints.list[0]!.model;
const rows: string[][] = [];
for (let i = 0; i < spaceSize(ref.space); i++) {
  const dna = dnaFromIndex(ref.space, i);
  rows.push([decodeArch(ref.space, dna), String(ref.accuracy!.values[i]), (lat.cost(dna) * 0.8 + (i % 5) * 0.01).toFixed(4), `net ${i}, v2`]);
}
const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const write = (name: string, body: string[][]): void => {
  writeFileSync(path.join(dir, name), '\uFEFF' + [['arch', 'top1 (%)', 'my latency (ms)', 'name'], ...body].map((r) => r.map(q).join(',')).join('\r\n') + '\r\n');
  console.log(path.join(dir, name));
};
write('mine.csv', rows);
write('mine-missing.csv', rows.filter((_, i) => i !== 100));
write('mine-typo.csv', rows.map((r, i) => (i === 41 ? [r[0]!.replace(/nor_conv_3x3|skip_connect|avg_pool_3x3|nor_conv_1x1|none/, 'nor_conv_3x4'), ...r.slice(1)] : r)));
