/**
 * Verifies the shape walk's MAdds and params against the real benchmark tables in ../shared/data:
 * every NATS-Bench size-space network on 3 datasets, and every NAS-Bench-201 cell's params.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { networkCost } from '../../src/arch/shapes.js';
import { natsSssNetwork, nb201Network } from '../../src/arch/zoo.js';

const DATA = resolve(import.meta.dirname, '../../../shared/data');
const NATS_CSV = resolve(DATA, 'nats-sss/sss_architectures_cost.csv');
const NB201_CSV = resolve(DATA, 'nb201/nb201_accuracy_params.csv');

const DATASETS = [
  { name: 'cifar10', input: 32, classes: 10 },
  { name: 'cifar100', input: 32, classes: 100 },
  { name: 'ImageNet16-120', input: 16, classes: 120 },
] as const;

function readCsv(path: string): { header: string[]; rows: string[][] } {
  assert.ok(existsSync(path), `missing shared data file ${path}`);
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  return { header: (lines[0] as string).split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

/**
 * The CSVs give millions rounded to 6 decimals: our exact integer counts, rounded the same way, must give the same
 * digits (stricter than the issue's |difference| <= 1e-6 M).
 */
function assertMillions(actual: number, expected: string, what: string): void {
  assert.ok(Number.isInteger(actual), `${what}: count ${actual} is not a whole number`);
  const ours = (actual / 1e6).toFixed(6);
  if (ours !== Number(expected).toFixed(6)) assert.fail(`${what}: computed ${ours} M, table ${expected} M`);
}

test('NATS-Bench size space: MAdds and params of all 32,768 networks x 3 datasets equal the official table', () => {
  const { header, rows } = readCsv(NATS_CSV);
  assert.equal(rows.length, 32768);
  const col = (n: string): number => {
    const i = header.indexOf(n);
    assert.ok(i >= 0, `column ${n} missing`);
    return i;
  };
  const cols = DATASETS.map((d) => ({ ...d, flops: col(`flops_M_${d.name}`), params: col(`params_M_${d.name}`) }));
  const cIdx = ['c1', 'c2', 'c3', 'c4', 'c5'].map(col);
  let checked = 0;
  for (const row of rows) {
    const channels = cIdx.map((i) => Number(row[i]));
    for (const d of cols) {
      const cost = networkCost(natsSssNetwork(channels, { input: d.input, classes: d.classes }));
      assertMillions(cost.madds, row[d.flops] as string, `arch ${row[0]} ${channels.join(':')} ${d.name} MAdds`);
      assertMillions(cost.params, row[d.params] as string, `arch ${row[0]} ${channels.join(':')} ${d.name} params`);
      checked++;
    }
  }
  assert.equal(checked, 32768 * 3);
});

test('NAS-Bench-201: params of all 15,625 cells x 3 datasets equal the official table', () => {
  const { header, rows } = readCsv(NB201_CSV);
  assert.equal(rows.length, 15625);
  const arch = header.indexOf('arch_str');
  let checked = 0;
  for (const row of rows) {
    for (const d of DATASETS) {
      const spec = nb201Network(row[arch] as string, { input: d.input, classes: d.classes });
      const expected = row[header.indexOf(`params_M_${d.name}`)] as string;
      assertMillions(networkCost(spec).params, expected, `arch ${row[0]} ${row[arch]} ${d.name} params`);
      checked++;
    }
  }
  assert.equal(checked, 15625 * 3);
});
