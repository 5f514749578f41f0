/**
 * `layernas profile --ingest <kit dir>`: the phone kit's `results.txt` (src/profile/kit-files.ts run.sh) -> a latency
 * table. Every "### layernas begin/end" section is one benchmark_model call, parsed by
 * src/device/benchmark-model-output.ts (its median, or its mean when the tool prints no median). Per model: the median
 * over rounds, and the median of the anchor calls paired with it; then the table is built exactly as `profile` builds
 * one from its journal (src/profile/table-builder.ts: speed anchor, invoke overhead, calibration) or, for a few-shot
 * kit, fitted from the source tables (src/profile/fewshot-table.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNetwork } from '../arch/grammar.js';
import type { NetworkSpec } from '../arch/spec.js';
import { LayernasError } from '../core/errors.js';
import type { LatencyTableData } from '../cost/latency-table.js';
import { parseBenchmarkModelOutput } from '../device/benchmark-model-output.js';
import type { SearchSpace } from '../space/types.js';
import { buildFewShotTable, planFewShot, type FewShotSource } from './fewshot-table.js';
import type { JournalLine } from './journal.js';
import { KIT_FORMAT, type KitManifest } from './kit.js';
import type { ProfileRequest } from './profiler.js';
import type { DistinctBlock } from './space-networks.js';
import { median, quantileSorted } from './stats.js';
import { anchorRecord, buildTable } from './table-builder.js';

export interface KitCall {
  readonly model: string;
  readonly round: number;
  readonly role: 'anchor' | 'model';
  readonly pair: string;
  readonly ms: number;
  readonly samples: number;
}

const BEGIN = /^### layernas begin model=(\S+) round=(\d+) role=(anchor|model) pair=(\S+)$/;
const END = /^### layernas end model=(\S+) round=(\d+) role=(anchor|model) pair=(\S+) exit=(\d+)$/;

/** The successful benchmark_model calls of a results file (failed or unfinished sections are skipped). */
export function parseKitResults(text: string, file: string): KitCall[] {
  const calls: KitCall[] = [];
  let open: { m: RegExpExecArray; line: number; body: string[] } | undefined;
  text.split(/\r?\n/).forEach((line, i) => {
    const b = BEGIN.exec(line);
    if (b) { open = { m: b, line: i + 1, body: [] }; return; }
    const e = END.exec(line);
    if (e && open) {
      if (e[5] === '0' && e[1] === open.m[1] && e[2] === open.m[2]) {
        let r;
        try {
          r = parseBenchmarkModelOutput(open.body.join('\n'));
        } catch (err) {
          throw new LayernasError('KIT_INVALID', `${file} line ${open.line}: ${(err as Error).message}`, { file, line: open.line });
        }
        calls.push({ model: e[1] as string, round: Number(e[2]), role: e[3] as 'anchor' | 'model', pair: e[4] as string, ms: r.median_ms ?? r.avg_ms, samples: r.count });
      }
      open = undefined;
      return;
    }
    open?.body.push(line);
  });
  return calls;
}

export function readKitManifest(dir: string): KitManifest {
  const file = join(dir, 'kit.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new LayernasError('KIT_INVALID', `${file} is not readable JSON (is ${dir} a kit written by layernas profile --kit?): ${(e as Error).message}`, { file });
  }
  const m = raw as Partial<KitManifest>;
  if (m.format !== KIT_FORMAT || !m.target || !Array.isArray(m.models) || !m.settings || typeof m.anchor !== 'string') {
    throw new LayernasError('KIT_INVALID', `${file} is not a ${KIT_FORMAT} manifest`, { file });
  }
  return m as KitManifest;
}

export interface IngestInputs {
  readonly space: SearchSpace;
  readonly blocks: readonly DistinctBlock[];
  /** table kits: the calibration networks, in kit order */
  readonly calibration: readonly NetworkSpec[];
  /** few-shot kits: the sources named by `from` */
  readonly sources?: readonly FewShotSource[];
}

export function ingestKit(dir: string, inputs: IngestInputs): { manifest: KitManifest; table: LatencyTableData; calls: number } {
  const manifest = readKitManifest(dir);
  const file = join(dir, 'results.txt');
  if (!existsSync(file)) throw new LayernasError('KIT_INVALID', `${file} does not exist: run ${join(dir, 'run.sh')} on a computer with the phone attached first`, { file });
  const calls = parseKitResults(readFileSync(file, 'utf8'), file);
  const measured = manifest.models.filter((m) => m.kind !== 'anchor');
  const missing = measured.filter((m) => !calls.some((c) => c.role === 'model' && c.model === m.file));
  if (missing.length > 0) {
    throw new LayernasError('KIT_INVALID', `${file} has no successful result for ${missing.length} of ${measured.length} models (e.g. ${missing.slice(0, 3).map((m) => m.file).join(', ')}); rerun run.sh to finish them`, { file, missing: missing.map((m) => m.file) });
  }
  const at = new Date().toISOString();
  const done = new Map<string, JournalLine>();
  const lineOf = new Map<string, JournalLine>();
  for (const m of measured) {
    const own = calls.filter((c) => c.role === 'model' && c.model === m.file).map((c) => c.ms).sort((a, b) => a - b);
    const anchors = calls.filter((c) => c.role === 'anchor' && c.pair === m.file).map((c) => c.ms);
    const line: JournalLine = {
      kind: m.kind === 'e2e' ? 'e2e' : m.kind === 'fixed' ? 'fixed' : 'block', key: m.key,
      median_ms: median(own), mean_ms: own.reduce((a, b) => a + b, 0) / own.length, p90_ms: quantileSorted(own, 0.9),
      iqr_ms: quantileSorted(own, 0.75) - quantileSorted(own, 0.25), min_ms: own[0] as number,
      samples: calls.filter((c) => c.role === 'model' && c.model === m.file).reduce((a, c) => a + c.samples, 0),
      ...(anchors.length > 0 && median(anchors) > 0 ? { anchor_ms: median(anchors) } : {}), at,
    };
    done.set(`${line.kind}:${m.key}`, line);
    lineOf.set(m.file, line);
  }
  const backend = { runtimeVersion: manifest.target.runtime.version, format: 'tflite' as const };
  if (manifest.mode === 'fewshot') {
    const sources = inputs.sources ?? [];
    const plan = planFewShot(inputs.space, sources, manifest.networks ?? 0, manifest.seed);
    const e2e = measured.filter((m) => m.kind === 'e2e');
    const anchorsAll = e2e.map((m) => lineOf.get(m.file)?.anchor_ms).filter((v): v is number => v !== undefined);
    const ref = anchorsAll.length > 0 ? median(anchorsAll) : undefined;
    const ms = e2e.map((m) => {
      const l = lineOf.get(m.file) as JournalLine;
      return ref !== undefined && l.anchor_ms !== undefined ? (l.median_ms * ref) / l.anchor_ms : l.median_ms;
    });
    if (ms.length !== plan.chosen.length) throw new LayernasError('KIT_INVALID', `kit has ${ms.length} few-shot networks, the plan ${plan.chosen.length}`, { dir });
    // the table records the anchor the networks were scaled to, as a profiled table does (table-builder.ts)
    const anchor = ref !== undefined ? anchorRecord(manifest.anchor, anchorsAll) : undefined;
    const { table } = buildFewShotTable({ target: manifest.target, space: inputs.space, sources, plan, measuredMs: ms, runtimeVersion: backend.runtimeVersion, seed: manifest.seed, how: `phone kit ${dir}, benchmark_model on ${manifest.target.device}, median of ${manifest.settings.rounds} rounds, scaled to the anchor`, ...(anchor ? { anchor } : {}) });
    return { manifest, table, calls: calls.length };
  }
  const req: ProfileRequest = {
    target: manifest.target, spaceName: inputs.space.name, blocks: inputs.blocks, calibrationNetworks: inputs.calibration,
    input: inputs.calibration[0]?.input ?? { height: 0, width: 0, channels: 0 }, journalFile: join(dir, 'results.txt'),
    machine: `${manifest.target.device} (phone kit, benchmark_model, CPU mask ${manifest.settings.cpuMask})`,
  };
  const table = buildTable(req, backend, done, parseNetwork(manifest.anchor));
  table.metadata.method = `layernas phone kit: one-block .tflite models written by layernas, TFLite benchmark_model on the phone (${manifest.target.threads} thread(s), taskset ${manifest.settings.cpuMask}), each call right after the speed anchor, median of ${manifest.settings.rounds} rounds, scaled to the anchor, minus the invoke overhead, times the per-kind calibration`;
  return { manifest, table, calls: calls.length };
}
