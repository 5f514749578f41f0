/**
 * Converter: ProxylessNAS mobile "trim" latency table (Google Pixel 1, TFLite, 224x224), as laid out in
 * shared/data/proxylessnas-pixel1/pixel1_trim_lut.json, -> a layernas latency table.
 *
 * Mapping to our layers (MobileNetV2-style, relu6, BN folded):
 *  - `Conv` (stem 3x3 s2)      -> conv_k3_s2_c<out>@224x224x3
 *  - `expanded_conv`           -> ir_k<k>_s<s>_e<e>_c<out>@HxWxC (residual when shapes allow, as in the source's idskip)
 *  - `Conv_1` (final 1x1 conv) -> conv_k1_s1_c<out>@7x7x<in>
 *  - `Logits` (pool + FC)      -> gap@7x7x1280 carries the whole figure; fc_c1000@1x1x1280 is 0 (included in gap)
 *  - skip / zero op (identity) -> 0 ms, the ProxylessNAS convention, one entry per shape where it may appear.
 * The source gives mean and variance only: median_ms holds the mean (noted in metadata), spread = std.
 */
import { z } from 'zod';
import type { LayerSpec, TensorShape } from '../../arch/spec.js';
import { LayernasError } from '../../core/errors.js';
import { layerKey } from '../block-key.js';
import { TABLE_FORMAT, parseTable, type LatencyTableData, type TableEntry } from '../latency-table.js';

const SourceEntry = z.object({
  key: z.string(),
  count: z.number().int().positive(),
  mean_ms: z.number().nonnegative(),
  var_ms2: z.number().nonnegative(),
  type: z.enum(['Conv', 'expanded_conv', 'Conv_1', 'Logits']),
  input_hwc: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  output: z.array(z.number().int()),
  expand: z.number().int().optional(),
  kernel: z.number().int().optional(),
  stride: z.number().int().optional(),
  idskip: z.number().int().optional(),
});
const SourceFile = z.object({ entries: z.array(SourceEntry).min(1) });

const shape = (hwc: readonly number[]): TensorShape => ({ h: hwc[0] as number, w: hwc[1] as number, c: hwc[2] as number });

function layerOf(e: z.infer<typeof SourceEntry>): LayerSpec[] {
  const out = e.output.at(-1) as number;
  switch (e.type) {
    case 'Conv':
      return [{ op: 'conv', kernel: 3, stride: 2, out, groups: 1, act: 'relu6', bn: true }];
    case 'Conv_1':
      return [{ op: 'conv', kernel: 1, stride: 1, out, groups: 1, act: 'relu6', bn: true }];
    case 'Logits':
      return [{ op: 'gap' }, { op: 'fc', out, act: 'none', bias: true }];
    case 'expanded_conv': {
      const k = e.kernel;
      if (k !== 3 && k !== 5 && k !== 7) throw new LayernasError('TABLE_INVALID', `ProxylessNAS entry ${e.key}: kernel ${String(k)}`, { key: e.key });
      const s = e.stride === 2 ? 2 : 1;
      return [{ op: 'ir', kernel: k, stride: s, expansion: e.expand ?? 1, out, se: 0, seGate: 'sigmoid', act: 'relu6', groups: 1, skip: true }];
    }
  }
}

export function convertProxylessPixel1(raw: unknown, sourceFile: string): LatencyTableData {
  const parsed = SourceFile.safeParse(raw);
  if (!parsed.success) {
    throw new LayernasError('TABLE_INVALID', `${sourceFile} is not a ProxylessNAS trim table: ${parsed.error.issues[0]?.message ?? ''}`, { file: sourceFile });
  }
  const entries: TableEntry[] = [];
  const identityShapes = new Map<string, TensorShape>();
  for (const e of parsed.data.entries) {
    const input = shape(e.input_hwc);
    const std = Math.sqrt(e.var_ms2);
    const [first, second] = layerOf(e);
    if (!first) continue;
    entries.push({
      key: layerKey(first, input),
      median_ms: e.mean_ms,
      mean_ms: e.mean_ms,
      p90_ms: null,
      spread: { kind: 'std', ms: std },
      samples: e.count,
      note: `source key ${e.key}`,
    });
    if (second) {
      entries.push({ key: layerKey(second, { h: 1, w: 1, c: input.c }), median_ms: 0, mean_ms: null, p90_ms: null, spread: null, samples: null, note: `included in ${layerKey(first, input)} (source "Logits" = pool + FC)` });
    }
    // A block that keeps its shape (identity residual) is a place where the space's skip (zero op) may stand.
    if (e.type === 'expanded_conv' && e.idskip === 1) identityShapes.set(`${input.h}x${input.w}x${input.c}`, input);
  }
  for (const input of identityShapes.values()) {
    const skip: LayerSpec = { op: 'skip', stride: 1, out: input.c };
    entries.push({ key: layerKey(skip, input), median_ms: 0, mean_ms: null, p90_ms: null, spread: null, samples: null, note: 'identity (zero op): 0 ms by the ProxylessNAS convention' });
  }
  entries.sort((a, b) => a.key.localeCompare(b.key));
  const data: LatencyTableData = {
    format: TABLE_FORMAT,
    metadata: {
      device: 'Google Pixel 1',
      runtime: { name: 'tflite', version: 'unreported (ProxylessNAS 2018 table)' },
      threads: 'unreported',
      precision: 'float32',
      input: { height: 224, width: 224, channels: 3 },
      date: '2018',
      method: 'TFLite on the phone, batch 1, per-block timing by the ProxylessNAS authors; source reports mean and variance per block only (median_ms = mean_ms here)',
      source: {
        citation: 'Cai, Zhu, Han. ProxylessNAS: Direct Neural Architecture Search on Target Task and Hardware. ICLR 2019. Mobile "trim" latency table (MIT Han Lab), via itouchz/Neural-Predictor-Tensorflow proxylessnas/pixel_trim.yaml @ a660b8a',
        files: ['shared/data/proxylessnas-pixel1/pixel1_trim_lut.json'],
        license: 'repository MIT; upstream table license not determined',
      },
      notes: [
        'Stem + Conv_1 + Logits = 11.62 ms.',
        'Skip (zero op) layers cost 0 ms (ProxylessNAS convention); the FC of the classifier is inside the gap entry.',
        'No per-model overhead is given by the source: fixed parts are empty.',
      ],
    },
    fixed: [],
    entries,
  };
  parseTable(data, sourceFile); // validates: schema, no negative latency, unique keys
  return data;
}
