/**
 * Converter: shared/data/fbnet/fbnet_lut_reconstructed_cifar100.json (HW-NAS-Bench FBNet LUT reconstructed exactly
 * from 5,000 measured architectures, gauge skip = 0) -> one layernas latency table per device.
 *
 * latency(arch) = base_ms + sum over the 22 layers of delta_vs_skip_ms[group(layer)][op]
 *  - base_ms becomes the fixed part "base" (stem, head, pool, FC and every layer's skip cost are inside it);
 *  - each (group, op) becomes the entry of that layer's canonical key (layers of a group share the key);
 *  - skip entries are 0 (the gauge), stem/head/gap/fc keys are 0 with a note "included in base".
 */
import { z } from 'zod';
import { LayernasError } from '../../core/errors.js';
import { TABLE_FORMAT, parseTable, type LatencyTableData, type TableEntry } from '../latency-table.js';
import { walkShapes } from '../../arch/shapes.js';
import { FBNET_LAYERS, FBNET_OPS, fbnetNetwork } from '../../arch/zoo.js';

const Device = z.object({ base_ms: z.number(), delta_vs_skip_ms: z.array(z.array(z.number()).length(9)).length(12) });
const SourceFile = z.object({
  ops: z.array(z.string()).length(9),
  layer_to_group: z.array(z.number().int().min(0).max(11)).length(FBNET_LAYERS),
  devices: z.record(Device),
});

export const FBNET_DEVICES: Readonly<Record<string, { device: string; citationDevice: string }>> = {
  pixel3: { device: 'Google Pixel 3', citationDevice: 'Pixel 3' },
  raspi4: { device: 'Raspberry Pi 4', citationDevice: 'Raspberry Pi 4' },
};

export function convertFbnetLut(raw: unknown, deviceId: string, sourceFile: string): LatencyTableData {
  const parsed = SourceFile.safeParse(raw);
  if (!parsed.success) {
    throw new LayernasError('TABLE_INVALID', `${sourceFile} is not the reconstructed FBNet LUT: ${parsed.error.issues[0]?.message ?? ''}`, { file: sourceFile });
  }
  const src = parsed.data;
  if (src.ops.join(',') !== FBNET_OPS.join(',')) {
    throw new LayernasError('TABLE_INVALID', `${sourceFile}: op order ${src.ops.join(',')} differs from ${FBNET_OPS.join(',')}`, { file: sourceFile });
  }
  const dev = src.devices[deviceId];
  const meta = FBNET_DEVICES[deviceId];
  if (!dev || !meta) {
    throw new LayernasError('TABLE_INVALID', `${sourceFile}: no device "${deviceId}" (have ${Object.keys(src.devices).join(', ')}; convertible: ${Object.keys(FBNET_DEVICES).join(', ')})`, { file: sourceFile });
  }
  const byKey = new Map<string, TableEntry>();
  const put = (key: string, ms: number, note: string): void => {
    const prev = byKey.get(key);
    if (prev && prev.median_ms !== ms) {
      throw new LayernasError('TABLE_INVALID', `FBNet key ${key} would get two latencies (${prev.median_ms} and ${ms}): layers sharing a key must share a group`, { key });
    }
    byKey.set(key, { key, median_ms: ms, mean_ms: null, p90_ms: null, spread: null, samples: null, note });
  };
  for (let op = 0; op < FBNET_OPS.length; op++) {
    const keys = walkShapes(fbnetNetwork(new Array<number>(FBNET_LAYERS).fill(op))).map((l) => l.key);
    const searchable = keys.slice(1, 1 + FBNET_LAYERS);
    searchable.forEach((key, layer) => {
      const g = src.layer_to_group[layer] as number;
      const ms = (dev.delta_vs_skip_ms[g] as number[])[op] as number;
      put(key, ms, `group ${g}, op ${FBNET_OPS[op]}: extra latency over skip${FBNET_OPS[op] === 'skip' ? ' (gauge: 0)' : ''}`);
    });
    for (const key of [keys[0], ...keys.slice(1 + FBNET_LAYERS)]) put(key as string, 0, 'included in fixed part "base"');
  }
  const data: LatencyTableData = {
    format: TABLE_FORMAT,
    metadata: {
      device: meta.device,
      runtime: { name: 'tflite', version: 'unreported (HW-NAS-Bench 2021)' },
      threads: 'unreported',
      precision: 'float32',
      input: { height: 32, width: 32, channels: 3 },
      date: '2021',
      method: 'HW-NAS-Bench per-block lookup table (measured on the device by the HW-NAS-Bench authors), reconstructed exactly by least squares from 5,000 architecture latencies (max |error| <= 1e-13 ms), gauge skip = 0',
      source: {
        citation: `Li et al. HW-NAS-Bench: Hardware-Aware Neural Architecture Search Benchmark. ICLR 2021 (FBNet space, CIFAR-100, ${meta.citationDevice}); per-architecture latencies via HayeonLee/HELP @ 45f70eb`,
        files: ['shared/data/fbnet/fbnet_lut_reconstructed_cifar100.json', 'shared/data/fbnet/fbnet_archs_latency_ms.csv'],
        license: 'MIT (HW-NAS-Bench, HELP)',
      },
      notes: [
        'Entries are deltas over the skip op of the same layer; absolute per-block values are not identifiable from the source.',
        'Layers inside a stage after the first share one shape key and one value.',
      ],
    },
    fixed: [{ name: 'base', median_ms: dev.base_ms, mean_ms: null, p90_ms: null, spread: null, samples: null, note: 'stem + head conv + pool + FC + the skip op of all 22 layers' }],
    entries: [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key)),
  };
  parseTable(data, sourceFile);
  return data;
}
