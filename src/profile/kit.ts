/**
 * A benchmark kit for a real phone (`layernas profile --target <android> --space <s> --kit <dir>`): every model to
 * measure as .tflite (one-block models, the invoke-overhead model, calibration networks, the speed anchor; or, with
 * --from/--networks, only the few-shot networks and the anchor), `kit.json` saying what each file is, `run.sh` (adb
 * push, then benchmark_model with a fixed warm-up, runs, threads and CPU affinity through taskset, each model timed
 * right after the anchor, round after round, with a cool-down pause; one results file, resumable) and a README.
 * `layernas profile --ingest <dir>` (src/profile/kit-ingest.ts) builds the table from `results.txt`.
 */
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { formatNetwork } from '../arch/grammar.js';
import type { NetworkSpec } from '../arch/spec.js';
import { LayernasError } from '../core/errors.js';
import type { ModelFactory } from '../export/model-factory.js';
import { resolvePlatform } from '../platform/registry.js';
import type { SearchSpace } from '../space/types.js';
import type { AndroidAdbMeasure, Target } from '../targets/schema.js';
import { kitReadme, kitRunner } from './kit-files.js';
import { oneBlockNetwork, type DistinctBlock } from './space-networks.js';
import { anchorNetwork, isIdentityBlock, networkKey, OVERHEAD_KEY, overheadSpec } from './table-builder.js';

export const KIT_FORMAT = 'layernas-phone-kit/1';

export interface KitModel {
  readonly file: string;
  readonly kind: 'fixed' | 'block' | 'e2e' | 'anchor';
  readonly key: string;
}

export interface KitSettings {
  /** timing rounds: each model is run this many times (each run = one benchmark_model call after the anchor's) */
  readonly rounds: number;
  /** seconds to wait after every benchmark_model call (the phone cools down) */
  readonly cooldownS: number;
  /** taskset CPU mask (hex), e.g. f0 = cores 4-7, the big cores of most 4+4 phones */
  readonly cpuMask: string;
}

export interface KitManifest {
  readonly format: typeof KIT_FORMAT;
  readonly target: Target;
  /** space name, or its file relative to the kit folder (no absolute paths in the manifest) */
  readonly space: string;
  readonly mode: 'table' | 'fewshot';
  readonly seed: number;
  readonly calibrate: number;
  readonly calibrateSpan: number;
  /** few-shot kits: the --from items (table files relative to the kit folder) and N */
  readonly from?: readonly string[];
  readonly networks?: number;
  readonly anchor: string;
  readonly settings: KitSettings;
  readonly models: readonly KitModel[];
}

export interface KitRequest {
  readonly target: Target;
  readonly space: SearchSpace;
  readonly spaceArg: string;
  readonly blocks: readonly DistinctBlock[];
  /** table kits: the calibration networks; few-shot kits: the chosen networks */
  readonly networks: readonly NetworkSpec[];
  readonly mode: 'table' | 'fewshot';
  readonly seed: number;
  readonly calibrate: number;
  readonly calibrateSpan: number;
  readonly from?: readonly string[];
  readonly settings: KitSettings;
}

function androidMeasure(target: Target): AndroidAdbMeasure {
  const adb = resolvePlatform(target).adb;
  if (!adb) throw new LayernasError('USAGE', `--kit is for phones reached over adb (measure.method android-adb); target ${target.id} runs on this machine: profile it directly`, { target: target.id });
  return adb;
}

export function writeKit(dir: string, req: KitRequest, factory: ModelFactory): KitManifest {
  const measure = androidMeasure(req.target);
  if (!/^[0-9a-fA-F]+$/.test(req.settings.cpuMask)) throw new LayernasError('USAGE', `--cpu-mask must be a hex CPU mask such as f0, got "${req.settings.cpuMask}"`, { flag: 'cpu-mask' });
  const anchor = anchorNetwork(req.networks);
  if (!anchor) throw new LayernasError('USAGE', 'a kit needs at least one whole network (calibration or few-shot networks) to serve as the speed anchor', {});
  try {
    mkdirSync(join(dir, 'models'), { recursive: true });
  } catch (e) {
    throw new LayernasError('OUTPUT_UNWRITABLE', `cannot create kit folder ${dir}: ${(e as Error).message}`, { dir });
  }
  const items: { kind: KitModel['kind']; key: string; spec: NetworkSpec; role: 'block' | 'network' }[] = [
    { kind: 'anchor', key: 'speed-anchor', spec: anchor, role: 'network' },
    ...(req.mode === 'table' ? [
      { kind: 'fixed' as const, key: OVERHEAD_KEY, spec: overheadSpec, role: 'block' as const },
      ...req.blocks.filter((b) => !isIdentityBlock(b)).map((b) => ({ kind: 'block' as const, key: b.key, spec: oneBlockNetwork(b), role: 'block' as const })),
    ] : []),
    ...req.networks.map((n, i) => ({ kind: 'e2e' as const, key: networkKey(n, i), spec: n, role: 'network' as const })),
  ];
  const models: KitModel[] = items.map((it, i) => {
    const file = `models/${String(i).padStart(4, '0')}-${it.kind}.tflite`;
    writeFileSync(join(dir, file), factory.build(it.spec, 'tflite', req.target.precision, { role: it.role }));
    return { file, kind: it.kind, key: it.key };
  });
  const manifest: KitManifest = {
    format: KIT_FORMAT, target: req.target, space: req.spaceArg, mode: req.mode, seed: req.seed, calibrate: req.calibrate, calibrateSpan: req.calibrateSpan,
    ...(req.from ? { from: req.from, networks: req.networks.length } : {}),
    anchor: formatNetwork(anchor), settings: req.settings, models,
  };
  writeFileSync(join(dir, 'kit.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  writeFileSync(join(dir, 'models.txt'), `${models.filter((m) => m.kind !== 'anchor').map((m) => m.file).join('\n')}\n`);
  writeFileSync(join(dir, 'run.sh'), kitRunner(manifest, measure));
  chmodSync(join(dir, 'run.sh'), 0o755);
  writeFileSync(join(dir, 'README.md'), kitReadme(manifest, measure));
  return manifest;
}
