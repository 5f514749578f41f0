/**
 * Table-backed cost models:
 *  - per-architecture tables over a whole (small) space, e.g. NB201 latency on Pixel 3 / Raspberry Pi 4
 *    (bounds from prefix min/max precomputed over the table);
 *  - additive per-layer tables (cost = base + sum over layers), e.g. the FBNet LUT of HW-NAS-Bench and the
 *    ProxylessNAS Pixel 1 table (bounds are exact sums of per-layer minima/maxima).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LayernasError } from '../core/errors.js';
import { encodeArch } from '../space/decode.js';
import { parseNumberCell, readCsv, sharedDataDir, type CsvTable } from '../space/data-files.js';
import { dnaIndex, spaceSize, type Dna, type SearchSpace } from '../space/types.js';
import type { CostMetric, CostModel, CostRange } from './types.js';

/** A cost given for every architecture of a space, indexed by dnaIndex. */
export function perArchitectureCostModel(space: SearchSpace, metric: CostMetric, name: string, values: Float64Array): CostModel {
  const n = spaceSize(space);
  if (values.length !== n) throw new LayernasError('TABLE_INVALID', `${name}: table has ${values.length} values, space ${space.name} has ${n}`);
  const L = space.radix.length;
  // mins[p][prefixIndex] = min over completions of a DNA whose first p layers give prefixIndex
  const mins: Float64Array[] = new Array(L + 1);
  const maxs: Float64Array[] = new Array(L + 1);
  mins[L] = values;
  maxs[L] = values;
  for (let p = L - 1; p >= 0; p--) {
    const r = space.radix[p] as number;
    const child = mins[p + 1] as Float64Array;
    const childMax = maxs[p + 1] as Float64Array;
    const size = child.length / r;
    const mn = new Float64Array(size);
    const mx = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let o = 0; o < r; o++) {
        const a = child[i * r + o] as number;
        const b = childMax[i * r + o] as number;
        if (a < lo) lo = a;
        if (b > hi) hi = b;
      }
      mn[i] = lo;
      mx[i] = hi;
    }
    mins[p] = mn;
    maxs[p] = mx;
  }
  return {
    metric,
    name,
    cost: (dna: Dna) => values[dnaIndex(space, dna)] as number,
    completionBounds(dna: Dna, fixed: number): CostRange {
      let idx = 0;
      for (let i = 0; i < fixed; i++) idx = idx * (space.radix[i] as number) + (dna[i] as number);
      return { min: (mins[fixed] as Float64Array)[idx] as number, max: (maxs[fixed] as Float64Array)[idx] as number };
    },
  };
}

/** cost = base + sum_l perLayer[l][dna[l]] */
export function additiveCostModel(space: SearchSpace, metric: CostMetric, name: string, base: number, perLayer: readonly (readonly number[])[]): CostModel {
  if (perLayer.length !== space.radix.length || perLayer.some((row, l) => row.length !== space.radix[l])) {
    throw new LayernasError('TABLE_INVALID', `${name}: per-layer table shape does not match space ${space.name}`);
  }
  const L = perLayer.length;
  const suffixMin = new Float64Array(L + 1);
  const suffixMax = new Float64Array(L + 1);
  for (let l = L - 1; l >= 0; l--) {
    suffixMin[l] = (suffixMin[l + 1] as number) + Math.min(...(perLayer[l] as number[]));
    suffixMax[l] = (suffixMax[l + 1] as number) + Math.max(...(perLayer[l] as number[]));
  }
  const prefix = (dna: Dna, fixed: number): number => {
    let s = base;
    for (let l = 0; l < fixed; l++) s += (perLayer[l] as number[])[dna[l] as number] as number;
    return s;
  };
  return {
    metric,
    name,
    cost: (dna: Dna) => prefix(dna, L),
    completionBounds(dna: Dna, fixed: number): CostRange {
      const p = prefix(dna, fixed);
      return { min: p + (suffixMin[fixed] as number), max: p + (suffixMax[fixed] as number) };
    },
  };
}

export const NB201_LATENCY_DEVICES = ['pixel3', 'raspi4', 'pixel2', 'samsung_a50', 'eyeriss', 'fpga'] as const;
export type Nb201Device = (typeof NB201_LATENCY_DEVICES)[number];

export function isNb201Device(name: string): name is Nb201Device {
  return (NB201_LATENCY_DEVICES as readonly string[]).includes(name);
}

const columnCache = new Map<string, Float64Array>();

/** Reads one numeric column of an NB201 CSV (keyed by arch_str) into a dnaIndex-ordered array (cached per file and column; callers must not modify it). */
export function readNb201Column(space: SearchSpace, file: string, column: string): Float64Array {
  const key = `${space.name}\u0000${file}\u0000${column}`;
  const hit = columnCache.get(key);
  if (hit) return hit;
  const values = readNb201ColumnUncached(space, file, column);
  columnCache.set(key, values);
  return values;
}

const tableCache = new Map<string, CsvTable>();

function readNb201ColumnUncached(space: SearchSpace, file: string, column: string): Float64Array {
  if (space.decoder !== 'nb201') throw new LayernasError('TABLE_INVALID', `${file} belongs to the nb201 space, not ${space.name}`);
  const table = tableCache.get(file) ?? readCsv(file);
  tableCache.set(file, table);
  const archCol = table.column('arch_str');
  const col = table.column(column);
  const values = new Float64Array(spaceSize(space)).fill(NaN);
  for (let r = 0; r < table.rows.length; r++) {
    const dna = encodeArch(space, (table.rows[r] as string[])[archCol] as string);
    values[dnaIndex(space, dna)] = parseNumberCell(table, r, col);
  }
  const missing = values.findIndex((v) => Number.isNaN(v));
  if (missing >= 0) throw new LayernasError('TABLE_MISSING_KEY', `${file}: no row for architecture index ${missing}`, { table: file, key: missing });
  return values;
}

export function nb201LatencyCost(space: SearchSpace, device: Nb201Device, dataDir = sharedDataDir()): CostModel {
  const file = path.join(dataDir, 'nb201', 'nb201_latency_ms.csv');
  return perArchitectureCostModel(space, 'latency_ms', `latency:${device}`, readNb201Column(space, file, `lat_${device}`));
}

export function nb201ParamsCost(space: SearchSpace, dataset: string, dataDir = sharedDataDir()): CostModel {
  const file = path.join(dataDir, 'nb201', 'nb201_accuracy_params.csv');
  return perArchitectureCostModel(space, 'params', 'params', readNb201Column(space, file, `params_M_${dataset}`));
}

const fbnetLutSchema = z.object({
  ops: z.array(z.string()),
  layer_to_group: z.array(z.number().int().nonnegative()),
  devices: z.record(z.object({ base_ms: z.number(), delta_vs_skip_ms: z.array(z.array(z.number())) })),
});

/** FBNet latency (HW-NAS-Bench CIFAR-100 setting) from the reconstructed per-block LUT: exact for any architecture. */
export function fbnetLatencyCost(space: SearchSpace, device: string, file = path.join(sharedDataDir(), 'fbnet', 'fbnet_lut_reconstructed_cifar100.json')): CostModel {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new LayernasError('TABLE_INVALID', `cannot read FBNet LUT ${file}: ${(e as Error).message}`, { file });
  }
  const lut = fbnetLutSchema.parse(raw);
  const dev = lut.devices[device];
  if (!dev) throw new LayernasError('TABLE_MISSING_KEY', `FBNet LUT ${file} has no device "${device}" (has ${Object.keys(lut.devices).join(', ')})`, { table: file, key: device });
  if (lut.layer_to_group.length !== space.radix.length) throw new LayernasError('TABLE_INVALID', `FBNet LUT has ${lut.layer_to_group.length} layers, space ${space.name} has ${space.radix.length}`);
  const perLayer = space.layers.map((layer, l) =>
    layer.options.map((op) => {
      const o = lut.ops.indexOf(op);
      const row = dev.delta_vs_skip_ms[lut.layer_to_group[l] as number];
      if (o < 0 || !row || row[o] === undefined) throw new LayernasError('TABLE_MISSING_KEY', `FBNet LUT: no entry for layer ${l} op ${op}`, { table: file, key: `${l}:${op}` });
      return row[o] as number;
    }),
  );
  return additiveCostModel(space, 'latency_ms', `latency:${device}`, dev.base_ms, perLayer);
}

const proxylessSchema = z.object({
  entries: z.array(z.object({ key: z.string(), mean_ms: z.number(), type: z.string() }).passthrough()),
});

/**
 * ProxylessNAS Pixel 1 latency for the mobilenetv2 space (224x224): stem + fixed first block + sum of searched blocks
 * (skip = 0 ms, the ProxylessNAS convention) + final 1x1 conv + classifier.
 */
export function proxylessPixel1Cost(space: SearchSpace, file = path.join(sharedDataDir(), 'proxylessnas-pixel1', 'pixel1_trim_lut.json')): CostModel {
  const lut = proxylessSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const byKey = new Map(lut.entries.map((e) => [e.key, e.mean_ms]));
  const get = (key: string): number => {
    const v = byKey.get(key);
    if (v === undefined) throw new LayernasError('TABLE_MISSING_KEY', `ProxylessNAS table ${file} has no entry ${key}`, { table: file, key });
    return v;
  };
  const s = space.settings as { stageChannels?: number[]; stageBlocks?: number[]; stageStrides?: number[] };
  if (space.decoder !== 'mobilenetv2' || !s.stageChannels || !s.stageBlocks || !s.stageStrides) {
    throw new LayernasError('TABLE_INVALID', `the ProxylessNAS Pixel 1 table needs the mobilenetv2 space, got ${space.name}`);
  }
  let hw = 112;
  let c = 16;
  const perLayer: number[][] = [];
  for (let st = 0; st < s.stageChannels.length; st++) {
    for (let b = 0; b < (s.stageBlocks[st] as number); b++) {
      const stride = b === 0 ? (s.stageStrides[st] as number) : 1;
      const out = s.stageChannels[st] as number;
      const ohw = hw / stride;
      const idskip = stride === 1 && c === out ? 1 : 0;
      const layer = space.layers[perLayer.length];
      if (!layer) throw new LayernasError('TABLE_INVALID', `space ${space.name} has fewer layers than its stages`);
      perLayer.push(
        layer.options.map((op) => {
          if (op === 'skip') return 0;
          const m = /^k(\d)_e(\d)$/.exec(op);
          if (!m) throw new LayernasError('TABLE_MISSING_KEY', `unknown mobilenetv2 op ${op}`, { key: op });
          return get(`expanded_conv-input:${hw}x${hw}x${c}-output:${ohw}x${ohw}x${out}-expand:${m[2]}-kernel:${m[1]}-stride:${stride}-idskip:${idskip}`);
        }),
      );
      hw = ohw;
      c = out;
    }
  }
  const base =
    get('Conv-input:224x224x3-output:112x112x32') +
    get('expanded_conv-input:112x112x32-output:112x112x16-expand:1-kernel:3-stride:1-idskip:0') +
    get('Conv_1-input:7x7x320-output:7x7x1280') +
    get('Logits-input:7x7x1280-output:1000');
  return additiveCostModel(space, 'latency_ms', 'latency:pixel1', base, perLayer);
}

export const NATS_DATASETS = ['cifar10', 'cifar100', 'ImageNet16-120'] as const;

/** NATS-Bench size space FLOPs (= MAdds, NATS convention) or params of every architecture, from the official-index CSV. */
export function natsSssCost(space: SearchSpace, metric: 'madds' | 'params', dataset: string, dataDir = sharedDataDir()): CostModel {
  if (space.decoder !== 'nats_sss') throw new LayernasError('TABLE_INVALID', `the NATS size-space table belongs to nats_sss, not ${space.name}`);
  const file = path.join(dataDir, 'nats-sss', 'sss_architectures_cost.csv');
  const table = readCsv(file);
  const archCol = table.column('arch_str');
  const col = table.column(`${metric === 'madds' ? 'flops' : 'params'}_M_${dataset}`);
  const values = new Float64Array(spaceSize(space)).fill(NaN);
  for (let r = 0; r < table.rows.length; r++) {
    const dna = encodeArch(space, (table.rows[r] as string[])[archCol] as string);
    values[dnaIndex(space, dna)] = parseNumberCell(table, r, col) * 1e6;
  }
  if (values.some((v) => Number.isNaN(v))) throw new LayernasError('TABLE_MISSING_KEY', `${file} does not cover every architecture of ${space.name}`, { table: file });
  return perArchitectureCostModel(space, metric, metric, values);
}
