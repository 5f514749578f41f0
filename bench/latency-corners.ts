/**
 * Prediction at the corners of a space, where uniformly random architectures never go but tight budgets do.
 *   npx tsx bench/latency-corners.ts [--spaces fbnet,mobilenetv2] [--targets host-tflite-1t,...] [--rounds 20]
 * Per space, three networks: the cheapest (every layer's cheapest option by MAdds, skip wherever it keeps the shape),
 * the cheapest alternating with option 0, and option 0 everywhere; plus the dearest. Each is timed beside the table's
 * speed anchor (src/profile/speed-anchor.ts) and compared with the table's prediction at the table's speed.
 */
import { join } from 'node:path';
import { walkShapes } from '../src/arch/shapes.js';
import { checkTableMatchesTarget, loadTable } from '../src/cost/latency-table.js';
import { predictLatency } from '../src/cost/latency-predictor.js';
import { backendForTarget } from '../src/platform/registry.js';
import { extremeDnas, relativeOptionCosts } from '../src/profile/calibration-networks.js';
import { ExporterModelFactory } from '../src/export/model-factory.js';
import { spaceNetwork } from '../src/profile/space-networks.js';
import { DEFAULT_ANCHORED_PROTOCOL, measureAnchored } from '../src/profile/speed-anchor.js';
import { loadSpace } from '../src/space/load.js';
import { resolveTarget } from '../src/targets/load.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}
const spaces = arg('spaces', 'fbnet,mobilenetv2').split(',');
const targets = arg('targets', 'host-tflite-1t,host-tflite-2t,host-onnxruntime-1t,host-onnxruntime-2t').split(',');
const rounds = Number(arg('rounds', '20'));
if (!Number.isInteger(rounds) || rounds <= 0) throw new Error(`--rounds must be a positive integer (got ${arg('rounds', '20')})`);

const out: string[] = [`latency at the corners of each space (${new Date().toISOString()}), ${rounds} anchored rounds per network`];
for (const spaceName of spaces) {
  const space = loadSpace(spaceName);
  const { cheapest, dearest } = extremeDnas(relativeOptionCosts(space));
  const corners: [string, number[]][] = [
    ['cheapest', cheapest],
    ['cheapest/option-0 alternating', cheapest.map((c, i) => (i % 2 ? c : 0))],
    ['option 0 everywhere', space.radix.map(() => 0)],
    ['dearest', dearest],
  ];
  const res = spaceNetwork(space, cheapest).input.height;
  for (const id of targets) {
    const { target } = resolveTarget(id);
    const table = loadTable(join('latency-tables', `${id}-${spaceName}-${res}.json`));
    checkTableMatchesTarget(table, target);
    const backend = backendForTarget(target, new ExporterModelFactory(1));
    try {
      for (const [name, dna] of corners) {
        const net = spaceNetwork(space, dna);
        const predicted = predictLatency(walkShapes(net), table);
        const model = await backend.prepare(net, name);
        try {
          const r = await measureAnchored(backend, model, table, { ...DEFAULT_ANCHORED_PROTOCOL, rounds });
          const atTable = r.atTableSpeedMs ?? r.model.median_ms;
          out.push(`${spaceName.padEnd(12)} ${id.padEnd(20)} ${name.padEnd(30)} ${dna.join('-').padEnd(44)} predicted ${predicted.total_ms.toFixed(3).padStart(8)} (blocks ${predicted.layers_ms.toFixed(3)}) measured at table speed ${atTable.toFixed(3).padStart(8)} error ${(100 * (predicted.total_ms / atTable - 1)).toFixed(1).padStart(6)}%`);
          process.stderr.write(`${out.at(-1)}\n`);
        } finally {
          await model.dispose();
        }
      }
    } finally {
      backend.close();
    }
  }
}
process.stdout.write(`${out.join('\n')}\n`);
