/**
 * Search-space DNA -> NetworkSpec for the spaces whose latency is predicted per block (fbnet, mobilenetv2), and the
 * distinct block keys a space can contain (what `layernas profile` measures).
 * fbnet uses the zoo's builder; mobilenetv2 follows spaces/mobilenetv2.json's settings (ProxylessNAS mobile space).
 */
import { z } from 'zod';
import { walkShapes } from '../arch/shapes.js';
import type { LayerSpec, NetworkSpec, TensorShape } from '../arch/spec.js';
import { fbnetNetwork } from '../arch/zoo.js';
import { LayernasError } from '../core/errors.js';
import type { Dna, SearchSpace } from '../space/types.js';

const MobilenetV2Settings = z.object({
  input: z.number().int().positive(),
  classes: z.number().int().positive(),
  stem: z.number().int().positive(),
  firstBlockOut: z.number().int().positive(),
  stageChannels: z.array(z.number().int().positive()),
  stageBlocks: z.array(z.number().int().positive()),
  stageStrides: z.array(z.union([z.literal(1), z.literal(2)])),
  head: z.number().int().positive(),
});

function mbOption(option: string, stride: 1 | 2, out: number, where: string): LayerSpec {
  if (option === 'skip') {
    if (stride !== 1) throw new LayernasError('SPACE_INVALID', `${where}: skip is not allowed on a stride-2 block`, { where });
    return { op: 'skip', stride: 1, out };
  }
  const m = /^k([357])_e(\d+)$/.exec(option);
  if (!m) throw new LayernasError('SPACE_INVALID', `${where}: option "${option}" is not k<3|5|7>_e<n> or skip`, { where, option });
  return { op: 'ir', kernel: Number(m[1]) as 3 | 5 | 7, stride, expansion: Number(m[2]), out, se: 0, seGate: 'sigmoid', act: 'relu6', groups: 1, skip: true };
}

export function mobilenetV2SpaceNetwork(space: SearchSpace, dna: Dna): NetworkSpec {
  const parsed = MobilenetV2Settings.safeParse(space.settings);
  if (!parsed.success) throw new LayernasError('SPACE_INVALID', `space ${space.name}: settings are not mobilenetv2 settings: ${parsed.error.issues[0]?.message ?? ''}`, { space: space.name });
  const s = parsed.data;
  const total = s.stageBlocks.reduce((a, b) => a + b, 0);
  if (total !== space.layers.length || dna.length !== total) {
    throw new LayernasError('SPACE_INVALID', `space ${space.name}: ${space.layers.length} layers, ${total} blocks in settings, DNA of ${dna.length}`, { space: space.name });
  }
  const layers: LayerSpec[] = [
    { op: 'conv', kernel: 3, stride: 2, out: s.stem, groups: 1, act: 'relu6', bn: true },
    { op: 'ir', kernel: 3, stride: 1, expansion: 1, out: s.firstBlockOut, se: 0, seGate: 'sigmoid', act: 'relu6', groups: 1, skip: true },
  ];
  let l = 0;
  s.stageBlocks.forEach((blocks, stage) => {
    for (let b = 0; b < blocks; b++) {
      const layer = space.layers[l];
      const option = layer?.options[dna[l] as number];
      if (option === undefined) throw new LayernasError('SPACE_INVALID', `DNA [${dna.join(',')}] does not fit space ${space.name} at layer ${l}`, { dna });
      layers.push(mbOption(option, (b === 0 ? s.stageStrides[stage] : 1) as 1 | 2, s.stageChannels[stage] as number, `${space.name} layer ${l} (${layer?.name ?? ''})`));
      l++;
    }
  });
  layers.push({ op: 'conv', kernel: 1, stride: 1, out: s.head, groups: 1, act: 'relu6', bn: true }, { op: 'gap' }, { op: 'fc', out: s.classes, act: 'none', bias: true });
  return { name: `${space.name}:${dna.join('-')}`, input: { height: s.input, width: s.input, channels: 3 }, layers };
}

/** The network of a DNA in a per-block space. */
export function spaceNetwork(space: SearchSpace, dna: Dna): NetworkSpec {
  switch (space.decoder) {
    case 'fbnet':
      return fbnetNetwork(dna);
    case 'mobilenetv2':
      return mobilenetV2SpaceNetwork(space, dna);
    case 'nb201':
    case 'nats_sss':
    case 'generic':
      throw new LayernasError('SPACE_INVALID', `space ${space.name} (decoder ${space.decoder}) has no per-block network builder; profile an architecture list instead`, { space: space.name });
  }
}

export interface DistinctBlock {
  readonly key: string;
  readonly layer: LayerSpec;
  readonly input: TensorShape;
}

/** Distinct block keys (with their layer and input shape) over a list of networks. */
export function distinctBlocksOf(networks: Iterable<NetworkSpec>): DistinctBlock[] {
  const byKey = new Map<string, DistinctBlock>();
  for (const net of networks) {
    for (const row of walkShapes(net)) if (!byKey.has(row.key)) byKey.set(row.key, { key: row.key, layer: row.layer, input: row.input });
  }
  return [...byKey.values()];
}

/**
 * Every distinct block a per-block space can contain. The spaces' options keep each layer's input shape fixed
 * (stride and channels are set by position), so the networks "every layer takes option o" (o clipped to the
 * layer's option count) cover every (position, option) pair; checked below.
 */
export function distinctSpaceBlocks(space: SearchSpace): DistinctBlock[] {
  const maxOptions = Math.max(...space.radix);
  const networks: NetworkSpec[] = [];
  let inputs: string[] | undefined;
  for (let o = 0; o < maxOptions; o++) {
    const net = spaceNetwork(space, space.radix.map((r) => Math.min(o, r - 1)));
    const these = walkShapes(net).map((r) => `${r.input.h}x${r.input.w}x${r.input.c}`);
    if (inputs && these.join() !== inputs.join()) {
      throw new LayernasError('SPACE_INVALID', `space ${space.name}: layer input shapes depend on the options; enumerate an architecture list instead`, { space: space.name });
    }
    inputs = these;
    networks.push(net);
  }
  return distinctBlocksOf(networks);
}
