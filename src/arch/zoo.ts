/**
 * Model zoo: an explicit map name -> builder (no registration by import side effect), plus builders for the
 * benchmark families (NAS-Bench-201 cells, NATS-Bench size space, FBNet space). Counting conventions of each
 * entry are in docs/zoo.md.
 */
import { LayernasError } from '../core/errors.js';
import { nb201CellEdges } from './kinds/index.js';
import { parseNetwork } from './grammar.js';
import { makeDivisible, NB201_OPS, type InputSpec, type LayerSpec, type Nb201Op, type NetworkSpec } from './spec.js';

export interface ZooOptions {
  /** square input resolution (default: the entry's own, e.g. 224) */
  readonly input?: number;
  /** classifier outputs (default: the entry's own) */
  readonly classes?: number;
}

export interface ZooEntry {
  readonly name: string;
  readonly description: string;
  readonly defaultInput: number;
  readonly build: (options: ZooOptions) => NetworkSpec;
}

function square(res: number, channels = 3): InputSpec {
  return { height: res, width: res, channels };
}

function fromBlocks(name: string, res: number, blocks: readonly string[]): NetworkSpec {
  return parseNetwork(`in${res}x${res}x3/${blocks.join('/')}`, { name });
}

/** MobileNetV2 (Sandler et al. 2018, Table 2) with width multiplier `width`; channels via makeDivisible(c*width, 8). */
export function mobilenetV2(width: number, options: ZooOptions = {}, name = `mobilenet_v2_${Math.round(width * 100)}`): NetworkSpec {
  const res = options.input ?? 224;
  const ch = (c: number): number => makeDivisible(c * width, 8);
  // t (expansion), c (channels), n (repeats), s (stride of the first)
  const table: readonly [number, number, number, number][] = [
    [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
  ];
  const blocks = [`conv_k3_s2_c${ch(32)}`];
  for (const [t, c, n, s] of table) blocks.push(`ir_r${n}_k3_s${s}_e${t}_c${ch(c)}`);
  blocks.push(`conv_k1_s1_c${makeDivisible(1280 * Math.max(1, width), 8)}`, 'gap', `fc_c${options.classes ?? 1000}`);
  return fromBlocks(name, res, blocks);
}

/** MobileNetV3-Large 1.0 (Howard et al. 2019, Table 1): RE = ReLU, HS = hard-swish, SE with hard-sigmoid gate. */
export function mobilenetV3Large(options: ZooOptions = {}): NetworkSpec {
  const se = 'se0.25_hsig';
  return fromBlocks('mobilenet_v3_large_100', options.input ?? 224, [
    'conv_k3_s2_c16_hs',
    'ir_k3_s1_e1_c16_relu', 'ir_k3_s2_e4_c24_relu', 'ir_k3_s1_e3_c24_relu',
    `ir_k5_s2_e3_c40_${se}_relu`, `ir_k5_s1_e3_c40_${se}_relu`, `ir_k5_s1_e3_c40_${se}_relu`,
    'ir_k3_s2_e6_c80_hs', 'ir_k3_s1_e2.5_c80_hs', 'ir_k3_s1_e2.3_c80_hs', 'ir_k3_s1_e2.3_c80_hs',
    `ir_k3_s1_e6_c112_${se}_hs`, `ir_k3_s1_e6_c112_${se}_hs`,
    `ir_k5_s2_e6_c160_${se}_hs`, `ir_k5_s1_e6_c160_${se}_hs`, `ir_k5_s1_e6_c160_${se}_hs`,
    'conv_k1_s1_c960_hs', 'gap', 'fc_c1280_hs', `fc_c${options.classes ?? 1000}`,
  ]);
}

/** MobileNetV3-Small 1.0 (Howard et al. 2019, Table 2). Expanded sizes 72 and 88 written as e4.5 and e3.67. */
export function mobilenetV3Small(options: ZooOptions = {}): NetworkSpec {
  const se = 'se0.25_hsig';
  return fromBlocks('mobilenet_v3_small_100', options.input ?? 224, [
    'conv_k3_s2_c16_hs',
    `ir_k3_s2_e1_c16_${se}_relu`, 'ir_k3_s2_e4.5_c24_relu', 'ir_k3_s1_e3.67_c24_relu',
    `ir_k5_s2_e4_c40_${se}_hs`, `ir_k5_s1_e6_c40_${se}_hs`, `ir_k5_s1_e6_c40_${se}_hs`,
    `ir_k5_s1_e3_c48_${se}_hs`, `ir_k5_s1_e3_c48_${se}_hs`,
    `ir_k5_s2_e6_c96_${se}_hs`, `ir_k5_s1_e6_c96_${se}_hs`, `ir_k5_s1_e6_c96_${se}_hs`,
    'conv_k1_s1_c576_hs', 'gap', 'fc_c1024_hs', `fc_c${options.classes ?? 1000}`,
  ]);
}

/** The 9 FBNet candidate ops, in the index order of ../shared/data/fbnet (0..8). */
export const FBNET_OPS = ['k3_e1', 'k3_e1_g2', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e1_g2', 'k5_e3', 'k5_e6', 'skip'] as const;
export type FbnetOp = (typeof FBNET_OPS)[number];
export const FBNET_STAGE_CHANNELS: readonly number[] = [16, 24, 32, 64, 112, 184, 352];
export const FBNET_STAGE_STRIDES: readonly (1 | 2)[] = [1, 1, 2, 2, 1, 2, 1];
export const FBNET_STAGE_SIZES: readonly number[] = [1, 4, 4, 4, 4, 4, 1];
export const FBNET_LAYERS = 22;

/** One FBNet searchable layer for op index 0..8 (ReLU, no SE). */
export function fbnetLayer(opIndex: number, stride: 1 | 2, out: number): LayerSpec {
  const op = FBNET_OPS[opIndex];
  if (op === undefined || !Number.isInteger(opIndex)) {
    throw new LayernasError('SPEC_INVALID', `FBNet op index must be 0..8, got ${opIndex}`, { opIndex });
  }
  if (op === 'skip') return { op: 'skip', stride, out };
  const m = /^k(\d)_e(\d)(_g2)?$/.exec(op) as RegExpExecArray;
  return {
    op: 'ir', kernel: Number(m[1]) as 3 | 5, stride, expansion: Number(m[2]), out, se: 0, seGate: 'sigmoid', act: 'relu',
    groups: m[3] ? 2 : 1, skip: true,
  };
}

/**
 * FBNet space network (HW-NAS-Bench CIFAR-100 setting): stem 3x3 conv 16 stride 1, 22 searchable layers
 * (stages [1,4,4,4,4,4,1], channels [16,24,32,64,112,184,352], first-layer strides [1,1,2,2,1,2,1]),
 * head 1x1 conv 1504, global pool, fc.
 */
export function fbnetNetwork(opIndices: readonly number[], options: ZooOptions = {}): NetworkSpec {
  if (opIndices.length !== FBNET_LAYERS) {
    throw new LayernasError('SPEC_INVALID', `an FBNet architecture has ${FBNET_LAYERS} op indices, got ${opIndices.length}`, { count: opIndices.length });
  }
  const res = options.input ?? 32;
  const layers: LayerSpec[] = [{ op: 'conv', kernel: 3, stride: 1, out: 16, groups: 1, act: 'relu', bn: true }];
  let l = 0;
  FBNET_STAGE_SIZES.forEach((size, stage) => {
    for (let i = 0; i < size; i++) {
      layers.push(fbnetLayer(opIndices[l] as number, i === 0 ? (FBNET_STAGE_STRIDES[stage] as 1 | 2) : 1, FBNET_STAGE_CHANNELS[stage] as number));
      l++;
    }
  });
  layers.push({ op: 'conv', kernel: 1, stride: 1, out: 1504, groups: 1, act: 'relu', bn: true }, { op: 'gap' },
    { op: 'fc', out: options.classes ?? 100, act: 'none', bias: true });
  return { name: `fbnet_${opIndices.join('-')}`, input: square(res), layers };
}

/** Parses an NB201 arch string |op~0|+|op~0|op~1|+|op~0|op~1|op~2| into its 6 edge ops. */
export function nb201Edges(arch: string): [Nb201Op, Nb201Op, Nb201Op, Nb201Op, Nb201Op, Nb201Op] {
  const cell = parseNetwork(`in1x1x1/nb201cell[${arch}]`).layers[0];
  const edges = cell ? nb201CellEdges(cell) : undefined;
  if (!edges) throw new LayernasError('SPEC_PARSE', `not an NB201 cell string: ${arch}`, { input: arch, position: 0, token: arch });
  return [...edges] as [Nb201Op, Nb201Op, Nb201Op, Nb201Op, Nb201Op, Nb201Op];
}

/** NAS-Bench-201 network: stem 3x3 conv 16 + BN, 5 cells, resblock 32, 5 cells, resblock 64, 5 cells, BN+ReLU, gap, fc. */
export function nb201Network(arch: string, options: ZooOptions = {}): NetworkSpec {
  const edges = nb201Edges(arch);
  const cell: LayerSpec = { op: 'nb201cell', edges };
  const cells = (): LayerSpec[] => Array.from({ length: 5 }, () => cell);
  const res = options.input ?? 32;
  return {
    name: `nb201_${edges.join(',')}`,
    input: square(res),
    layers: [
      { op: 'conv', kernel: 3, stride: 1, out: 16, groups: 1, act: 'none', bn: true }, ...cells(),
      { op: 'resblock', out: 32, stride: 2 }, ...cells(),
      { op: 'resblock', out: 64, stride: 2 }, ...cells(),
      { op: 'bnact', act: 'relu' }, { op: 'gap' }, { op: 'fc', out: options.classes ?? 10, act: 'none', bias: true },
    ],
  };
}

/** NATS-Bench size-space network from its 5 channel counts c1..c5. */
export function natsSssNetwork(channels: readonly number[], options: ZooOptions = {}): NetworkSpec {
  if (channels.length !== 5) throw new LayernasError('SPEC_INVALID', `a NATS size-space network has 5 channel counts, got ${channels.length}`, { channels });
  const [c1, c2, c3, c4, c5] = channels as [number, number, number, number, number];
  const res = options.input ?? 32;
  return {
    name: `nats_sss_${channels.join(':')}`,
    input: square(res),
    layers: [
      { op: 'conv', kernel: 3, stride: 1, out: c1, groups: 1, act: 'none', bn: true },
      { op: 'natscell', out: c1 }, { op: 'resblock', out: c2, stride: 2 }, { op: 'natscell', out: c3 },
      { op: 'resblock', out: c4, stride: 2 }, { op: 'natscell', out: c5 },
      { op: 'bnact', act: 'relu' }, { op: 'gap' }, { op: 'fc', out: options.classes ?? 10, act: 'none', bias: true },
    ],
  };
}

export const ZOO: ReadonlyMap<string, ZooEntry> = new Map<string, ZooEntry>([
  ['mobilenet_v2_100', { name: 'mobilenet_v2_100', defaultInput: 224, description: 'MobileNetV2 1.0 (paper Table 2), 1000 classes', build: (o) => mobilenetV2(1.0, o, 'mobilenet_v2_100') }],
  ['mobilenet_v2_140', { name: 'mobilenet_v2_140', defaultInput: 224, description: 'MobileNetV2 1.4, head 1792, 1000 classes', build: (o) => mobilenetV2(1.4, o, 'mobilenet_v2_140') }],
  ['mobilenet_v3_large_100', { name: 'mobilenet_v3_large_100', defaultInput: 224, description: 'MobileNetV3-Large 1.0 (paper Table 1), 1000 classes', build: mobilenetV3Large }],
  ['mobilenet_v3_small_100', { name: 'mobilenet_v3_small_100', defaultInput: 224, description: 'MobileNetV3-Small 1.0 (paper Table 2), 1000 classes', build: mobilenetV3Small }],
  ['fbnet_skeleton', { name: 'fbnet_skeleton', defaultInput: 32, description: 'FBNet space (32x32, 100 classes) with every layer k3_e6', build: (o) => ({ ...fbnetNetwork(Array(FBNET_LAYERS).fill(3), o), name: 'fbnet_skeleton' }) }],
]);

/** Parametric families usable as names: `nb201:<arch string>`, `nats_sss:c1:c2:c3:c4:c5`, `fbnet:<22 op indices joined by ->`. */
export const ZOO_FAMILIES: readonly { readonly prefix: string; readonly example: string; readonly description: string }[] = [
  { prefix: 'nb201:', example: `nb201:|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|`, description: 'NAS-Bench-201 network (32x32, 10 classes unless --classes)' },
  { prefix: 'nats_sss:', example: 'nats_sss:64:64:64:64:64', description: 'NATS-Bench size-space network (32x32, 10 classes unless --classes)' },
  { prefix: 'fbnet:', example: `fbnet:${Array(FBNET_LAYERS).fill(7).join('-')}`, description: `FBNet space network from 22 op indices 0..8 (${FBNET_OPS.join(', ')})` },
];

export function zooNames(): string[] {
  return [...ZOO.keys()];
}

function parseIntList(name: string, text: string, sep: string): number[] {
  const parts = text.split(sep);
  if (!parts.every((p) => /^\d+$/.test(p))) throw new LayernasError('ZOO_UNKNOWN', `malformed zoo name '${name}': expected whole numbers separated by '${sep}'`, { name });
  return parts.map(Number);
}

/** Builds a zoo network by name; throws ZOO_UNKNOWN listing the known names. */
export function getZooModel(name: string, options: ZooOptions = {}): NetworkSpec {
  const entry = ZOO.get(name);
  if (entry) return entry.build(options);
  if (name.startsWith('nb201:')) return nb201Network(name.slice('nb201:'.length), options);
  if (name.startsWith('nats_sss:')) return natsSssNetwork(parseIntList(name, name.slice('nats_sss:'.length), ':'), options);
  if (name.startsWith('fbnet:')) return fbnetNetwork(parseIntList(name, name.slice('fbnet:'.length), '-'), options);
  const known = [...zooNames(), ...ZOO_FAMILIES.map((f) => `${f.prefix}...`)];
  throw new LayernasError('ZOO_UNKNOWN', `unknown zoo model '${name}'; known: ${known.join(', ')}`, { name, known });
}

export { NB201_OPS };
