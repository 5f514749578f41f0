/**
 * `layernas cost <arch-or-zoo-name> [--input 224] [--classes N] [--json] [--count-bn-act]`:
 * per-layer shapes, MAdds and params of a zoo model or a network block string, and the totals.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { z } from 'zod';
import { LayernasError } from '../../core/errors.js';
import { formatLayer, formatNetwork, LAYER_OPS, parseNetwork } from '../../arch/grammar.js';
import { networkCost, type NetworkCost } from '../../arch/shapes.js';
import type { NetworkSpec, TensorShape } from '../../arch/spec.js';
import { getZooModel } from '../../arch/zoo.js';
import { groupDigits, millions, renderTable } from '../table.js';
import { LATENCY_FALLBACKS } from '../../cost/latency-predictor.js';
import { resolveModelPath } from '../../export/model-source.js';
import { latencyTable, targetLatency } from './cost-latency.js';


const argsSchema = z.object({
  arch: z.string().min(1, 'give a zoo name (see `layernas zoo`) or a network string like in224x224x3/conv_k3_s2_c32/...'),
  input: z.number().int().positive().max(16384).optional(),
  classes: z.number().int().positive().max(65536).optional(),
  json: z.boolean(),
  'count-bn-act': z.boolean(),
  target: z.string().min(1).optional(),
  fallback: z.enum(['none', 'nearest-shape']),
});
type CostArgs = z.infer<typeof argsSchema>;

/** True when `text` is a block string (starts with an input token or a layer op) rather than a zoo name. */
export function looksLikeNetworkString(text: string): boolean {
  const head = /^[a-z0-9]+/.exec(text.trim())?.[0] ?? '';
  return /^in\d/.test(text.trim()) || (LAYER_OPS as readonly string[]).includes(head);
}

/** Resolves a CLI architecture argument: zoo name / family, or a network block string. */
export function resolveArchitecture(arch: string, options: { input?: number; classes?: number }): NetworkSpec {
  if (!looksLikeNetworkString(arch)) return getZooModel(arch, options);
  if (options.classes !== undefined) {
    throw new LayernasError('USAGE', '--classes applies to zoo models; in a network string set the last fc_c<N> instead', { option: 'classes' });
  }
  const res = options.input ?? 224;
  const spec = parseNetwork(arch, { defaultInput: { height: res, width: res, channels: 3 } });
  if (options.input === undefined) return spec;
  return parseNetwork(formatNetwork({ ...spec, input: { ...spec.input, height: options.input, width: options.input } }));
}

const shape = (s: TensorShape): string => `${s.h}x${s.w}x${s.c}`;

export function costReport(spec: NetworkSpec, cost: NetworkCost): object {
  return {
    name: spec.name ?? null,
    network: formatNetwork(spec),
    input: spec.input,
    madds: cost.madds,
    params: cost.params,
    layers: cost.layers.map((l) => ({
      index: l.index, block: formatLayer(l.layer), input: l.input, output: l.output, madds: l.madds, params: l.params, key: l.key,
    })),
  };
}

export function costTable(spec: NetworkSpec, cost: NetworkCost, countBnAct: boolean): string {
  const rows = cost.layers.map((l) => [String(l.index), formatLayer(l.layer), `${shape(l.input)} -> ${shape(l.output)}`, groupDigits(l.madds), groupDigits(l.params)]);
  const table = renderTable(
    [{ title: '#', align: 'right' }, { title: 'block', align: 'left' }, { title: 'in -> out', align: 'left' }, { title: 'MAdds', align: 'right' }, { title: 'params', align: 'right' }],
    rows,
  );
  const convention = countBnAct ? 'conv/linear + BN/act/pool/add, one op per element' : 'NATS convention: conv/linear incl. bias; BN/act/pool not counted';
  return [
    `${spec.name ?? 'network'}: ${formatNetwork(spec).length > 200 ? `${spec.layers.length} layers` : formatNetwork(spec)}`,
    table,
    `total MAdds: ${groupDigits(cost.madds)} (${millions(cost.madds)}; ${convention})`,
    `total params: ${groupDigits(cost.params)} (${millions(cost.params, 6)}; weights, biases, BN gamma/beta)`,
  ].join('\n');
}

/** the architecture of a cost argument: network string, zoo name, export folder, design run folder, or model file */
function specOf(args: CostArgs): { spec: NetworkSpec; from: string | null; tables: string[] } {
  const src = resolveModelPath(args.arch);
  if (!src) return { spec: resolveArchitecture(args.arch, { ...(args.input !== undefined ? { input: args.input } : {}), ...(args.classes !== undefined ? { classes: args.classes } : {}) }), from: null, tables: [] };
  if (!src.spec) {
    throw new LayernasError('USAGE', `${args.arch} carries no layernas architecture (a model another tool wrote); cost needs the network: layernas cost <network string> --target <t>, or time the file with layernas verify ${args.arch} --target <t> --mode timing`, { path: args.arch });
  }
  // a design run priced its space with a table it may have profiled itself: <run>/latency/*.json
  const latencyDir = src.kind === 'design-run' ? join(args.arch, 'latency') : null;
  const tables = latencyDir && existsSync(latencyDir) ? readdirSync(latencyDir).filter((f) => f.endsWith('.json')).map((f) => join(latencyDir, f)) : [];
  return { spec: src.spec, from: src.archFrom, tables };
}

export const costCommand: CommandModule<object, CostArgs> = {
  command: 'cost <arch>',
  describe: 'per-layer shapes, MAdds, params and (with --target) predicted latency of a network, exported folder, design run or .tflite',
  builder: (y) =>
    y
      .positional('arch', { type: 'string', demandOption: true, describe: 'zoo name (layernas zoo), network string (e.g. in224x224x3/conv_k3_s2_c32/gap/fc_c10), export folder, design run folder, or .tflite written by layernas' })
      .option('input', { type: 'number', describe: 'square input resolution (default: the model\'s own; 224 for strings without in<H>x<W>x<C>)' })
      .option('classes', { type: 'number', describe: 'classifier outputs for zoo models' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON instead of a table' })
      .option('count-bn-act', { type: 'boolean', default: false, describe: 'also count BN, activations, pooling, adds (one op per element)' })
      .option('target', { type: 'string', describe: 'target id or .json: add predicted latency per layer from its table, with the entry used' })
      .option('fallback', { choices: LATENCY_FALLBACKS as unknown as string[], default: 'none', describe: 'price layers missing from the table (nearest-shape: same block at the nearest input shape, scaled)' })
      .example('$0 cost mobilenet_v2_100', 'shapes, MAdds and params per layer')
      .example('$0 cost in32x32x3/conv_k3_s2_c16/ir_k3_s1_e6_c16/gap/fc_c10 --target pixel3-tflite', 'predicted latency per layer on a Pixel 3')
      .example('$0 cost runs/fmnist --target host-tflite-1t', "a design run's winner")
      .example('$0 cost model/model_float32.tflite --target host-tflite-1t --json', 'a .tflite exported by layernas') as never,
  handler: (argv) => {
    const parsed = argsSchema.safeParse(argv);
    if (!parsed.success) {
      throw new LayernasError('USAGE', `cost: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`, { issues: parsed.error.issues });
    }
    const args = parsed.data;
    const { spec, tables } = specOf(args);
    const cost = networkCost(spec, { countBnAct: args['count-bn-act'] });
    if (!args.target) {
      process.stdout.write(`${args.json ? JSON.stringify(costReport(spec, cost), null, 2) : costTable(spec, cost, args['count-bn-act'])}\n`);
      return;
    }
    const latency = targetLatency(spec, args.target, args.fallback, tables);
    process.stdout.write(`${args.json ? JSON.stringify({ ...costReport(spec, cost), latency }, null, 2) : latencyTable(spec, cost, latency)}\n`);
  },
};
