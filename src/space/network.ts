/** DNA -> NetworkSpec (src/arch) for every built-in decoder, so costs come from the shape walk and workers get a network string. */
import { formatNetwork, LAYER_OPS, parseLayer } from '../arch/grammar.js';
import { classifierOf } from '../arch/kinds/index.js';
import { makeDivisible, type LayerSpec, type NetworkSpec } from '../arch/spec.js';
import { fbnetNetwork, natsSssNetwork, nb201Network } from '../arch/zoo.js';
import { LayernasError } from '../core/errors.js';
import { decodeArch } from './decode.js';
import { fbnetStageCoveringDnas, fbnetStageOps, fbnetStagePlan } from './fbnet-stages.js';
import type { Dna, SearchSpace } from './types.js';

interface Mbv2Settings {
  input: number;
  classes: number;
  stem: number;
  firstBlockOut: number;
  stageChannels: number[];
  stageBlocks: number[];
  stageStrides: (1 | 2)[];
  head: number;
  widthMultiplier: number;
}

/** An option naming its own layer kind (`fmb_k3_e4`, `ir_k5_e6_se0.25`): a block string the decoder adds s and c to. */
function isBlockOption(opt: string): boolean {
  const head = /^[a-z0-9]+_/.exec(opt)?.[0].slice(0, -1);
  return head !== undefined && (LAYER_OPS as readonly string[]).includes(head);
}

function blockOption(space: SearchSpace, index: number, opt: string, stride: 1 | 2, channels: number): LayerSpec {
  try {
    return parseLayer(`${opt}_s${stride}_c${channels}`);
  } catch (e) {
    throw new LayernasError('SPACE_INVALID', `space ${space.name}: layer ${index} option "${opt}": ${(e as Error).message.split('\n')[0]}`, { space: space.name, layer: index, option: opt }, { cause: e });
  }
}

function mobilenetV2SpaceNetwork(space: SearchSpace, dna: Dna): NetworkSpec {
  const s = space.settings as Partial<Mbv2Settings>;
  if (!s.stageChannels || !s.stageBlocks || !s.stageStrides || !s.stem || !s.firstBlockOut || !s.head) {
    throw new LayernasError('SPACE_INVALID', `space ${space.name}: mobilenetv2 decoder needs settings stem, firstBlockOut, stageChannels, stageBlocks, stageStrides, head`);
  }
  const w = s.widthMultiplier ?? 1;
  const ch = (c: number): number => makeDivisible(c * w, 8);
  const layers: LayerSpec[] = [
    { op: 'conv', kernel: 3, stride: 2, out: ch(s.stem), groups: 1, act: 'relu6', bn: true },
    { op: 'ir', kernel: 3, stride: 1, expansion: 1, out: ch(s.firstBlockOut), se: 0, seGate: 'sigmoid', act: 'relu6', groups: 1, skip: true },
  ];
  let l = 0;
  s.stageChannels.forEach((c, stage) => {
    for (let b = 0; b < (s.stageBlocks![stage] as number); b++) {
      const stride = b === 0 ? (s.stageStrides![stage] as 1 | 2) : 1;
      const opt = space.layers[l]?.options[dna[l] as number];
      l++;
      if (opt === 'skip') {
        layers.push({ op: 'skip', stride, out: ch(c) });
        continue;
      }
      if (opt && isBlockOption(opt)) {
        layers.push(blockOption(space, l - 1, opt, stride, ch(c)));
        continue;
      }
      const m = opt ? /^k([357])_e(\d+)$/.exec(opt) : null;
      if (!m) throw new LayernasError('SPACE_INVALID', `space ${space.name}: layer ${l - 1} option "${opt}" is not k<3|5|7>_e<n>, skip, or a block string without s and c (e.g. fmb_k3_e4)`);
      layers.push({ op: 'ir', kernel: Number(m[1]) as 3 | 5 | 7, stride, expansion: Number(m[2]), out: ch(c), se: 0, seGate: 'sigmoid', act: 'relu6', groups: 1, skip: true });
    }
  });
  layers.push({ op: 'conv', kernel: 1, stride: 1, out: makeDivisible(s.head * Math.max(1, w), 8), groups: 1, act: 'relu6', bn: true }, { op: 'gap' }, { op: 'fc', out: s.classes ?? 1000, act: 'none', bias: true });
  const res = s.input ?? 224;
  return { name: `${space.name}_${dna.join('-')}`, input: { height: res, width: res, channels: 3 }, layers };
}

/** The network of a DNA; `classes` overrides the classifier size (e.g. 100 for CIFAR-100). */
export function decodeNetwork(space: SearchSpace, dna: Dna, classes?: number): NetworkSpec {
  const arch = decodeArch(space, dna);
  const opts = classes === undefined ? {} : { classes };
  switch (space.decoder) {
    case 'nb201':
      return nb201Network(arch, opts);
    case 'nats_sss':
      return natsSssNetwork(arch.split(':').map(Number), opts);
    case 'fbnet':
      return fbnetNetwork(dna, opts);
    case 'fbnet_stages':
      return fbnetNetwork(fbnetStageOps(space, dna), opts);
    case 'mobilenetv2':
      return mobilenetV2SpaceNetwork(space, dna);
    case 'generic':
      throw new LayernasError('SPACE_INVALID', `space ${space.name} uses the generic decoder, which has no network spec (use a tabular evaluator and tabular costs)`);
  }
}

/** The same network with its final classifier resized to `classes` outputs. */
export function withClasses(spec: NetworkSpec, classes: number): NetworkSpec {
  const last = classifierOf(spec);
  if (!last) {
    throw new LayernasError('SPACE_INVALID', `network ${spec.name ?? ''} does not end in an fc classifier; cannot size it for ${classes} classes`, { classes });
  }
  if (last.out === classes) return spec;
  return { ...spec, layers: [...spec.layers.slice(0, -1), { ...last, out: classes }] };
}

/** The network of a DNA with a `classes`-output classifier (every decoder; mobilenetv2's takes its count from the space). */
export function decodeSized(space: SearchSpace, dna: Dna, classes?: number): NetworkSpec {
  return classes === undefined ? decodeNetwork(space, dna) : withClasses(decodeNetwork(space, dna, classes), classes);
}

/** Network block string of a DNA, or undefined for generic spaces. */
export function networkString(space: SearchSpace, dna: Dna): string | undefined {
  return space.decoder === 'generic' ? undefined : formatNetwork(decodeNetwork(space, dna));
}

/**
 * DNAs whose networks together contain every distinct block of the space (what a latency table must cover).
 * Per-block spaces keep each layer's input shape fixed by position, so "every layer takes option o" (clipped to the
 * layer's option count) for each o covers every (position, option) pair; fbnet_stages takes block o at full depth.
 */
export function coveringDnas(space: SearchSpace): number[][] {
  if (space.decoder === 'fbnet_stages') return fbnetStageCoveringDnas(space);
  const maxOptions = Math.max(...space.radix);
  return Array.from({ length: maxOptions }, (_, o) => space.radix.map((r) => Math.min(o, r - 1)));
}

/**
 * Decisions whose costs interact, as consecutive groups: a stage's block and depth in fbnet_stages, else one
 * decision per group. Costs are additive over these groups (checked by src/cost/network-cost.ts).
 */
export function decisionGroups(space: SearchSpace): number[][] {
  if (space.decoder === 'fbnet_stages') return fbnetStagePlan(space).map((p) => (p.depth === undefined ? [p.op] : [p.op, p.depth]));
  return space.radix.map((_, i) => [i]);
}
