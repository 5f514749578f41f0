/**
 * The `profile` modes besides measuring a table on the spot (src/cli/commands/profile.ts):
 *  - `--from <tables|targets> --networks N`: few-shot table from source tables + N measured networks;
 *  - `--kit <dir>`: a benchmark kit for a real phone (with --from/--networks: the few-shot networks only);
 *  - `--ingest <dir>`: the table from a kit's results.
 */
import { relative, resolve } from 'node:path';
import { writeTableFile } from '../../cost/table-convert/shipped.js';
import { LayernasError } from '../../core/errors.js';
import { ExporterModelFactory } from '../../export/model-factory.js';
import { backendForTarget } from '../../platform/registry.js';
import { resolveFewShotSources, runFewShotProfile } from '../../profile/fewshot-profile.js';
import { planFewShot } from '../../profile/fewshot-table.js';
import { ingestKit, readKitManifest } from '../../profile/kit-ingest.js';
import { writeKit, type KitSettings } from '../../profile/kit.js';
import { DEFAULT_PROTOCOL } from '../../profile/measure.js';
import { StderrProgress } from '../../profile/progress.js';
import { loadSpace } from '../../space/load.js';
import type { Target } from '../../targets/schema.js';
import { workloadFor } from '../../profile/profile-job.js';

export interface PhoneArgs {
  readonly target?: Target;
  readonly space?: string;
  readonly out?: string;
  readonly from?: readonly string[];
  readonly networks?: number;
  readonly kit?: string;
  readonly ingest?: string;
  readonly calibrate: number;
  readonly calibrateSpan: number;
  readonly rounds?: number;
  readonly seed: number;
  readonly kitSettings: Omit<KitSettings, 'rounds'>;
  readonly json: boolean;
}

function print(args: PhoneArgs, summary: Record<string, unknown>, line: string): void {
  process.stdout.write(args.json ? `${JSON.stringify(summary, null, 1)}\n` : `${line}\n`);
}

function need<T>(v: T | undefined, flag: string, mode: string): T {
  if (v === undefined) throw new LayernasError('USAGE', `${mode} needs --${flag}`, { flag });
  return v;
}

export async function runPhoneMode(args: PhoneArgs): Promise<void> {
  if (args.ingest) {
    const manifest = readKitManifest(args.ingest);
    const inKit = (x: string): string => (x.endsWith('.json') || x.endsWith('.txt') ? resolve(args.ingest as string, x) : x);
    const space = loadSpace(inKit(manifest.space));
    const work = workloadFor(inKit(manifest.space), manifest.calibrate, manifest.seed, manifest.calibrateSpan);
    const sources = manifest.mode === 'fewshot' ? resolveFewShotSources((manifest.from ?? []).map(inKit), space) : undefined;
    const { table, calls } = ingestKit(args.ingest, { space, blocks: work.blocks, calibration: work.calibration, ...(sources ? { sources } : {}) });
    const out = args.out ?? `${args.ingest}/${manifest.target.id}-${space.name}-${work.input.height}.json`;
    writeTableFile(out, table);
    print(args, { table: out, calls, entries: table.entries.length, fewshot: table.metadata.fewshot ?? null }, `wrote ${out}: ${table.entries.length} entries from ${calls} benchmark_model calls${table.metadata.fewshot ? ` (few-shot estimate, leave-one-out error ${(100 * table.metadata.fewshot.loo_rms_error).toFixed(1)}% rms)` : ''}`);
    return;
  }
  const mode = args.kit ? '--kit' : '--from';
  const target = need(args.target, 'target', mode);
  const spaceArg = need(args.space, 'space', mode);
  const fewshot = args.from !== undefined && args.from.length > 0;
  if (fewshot && args.networks === undefined) throw new LayernasError('USAGE', '--from needs --networks N (how many networks to measure on the new device)', { flag: 'networks' });
  if (args.networks !== undefined && !fewshot) throw new LayernasError('USAGE', '--networks needs --from <source tables or targets>', { flag: 'from' });
  const space = loadSpace(spaceArg);
  if (args.kit) {
    const sources = fewshot ? resolveFewShotSources(args.from ?? [], space) : [];
    const work = workloadFor(spaceArg, args.calibrate, args.seed, args.calibrateSpan);
    const plan = fewshot ? planFewShot(space, sources, args.networks as number, args.seed) : undefined;
    // files named in the manifest are kept relative to the kit folder, so --ingest works from any folder
    const kitDir = args.kit;
    const abs = (x: string): string => (x.endsWith('.json') || x.endsWith('.txt') ? relative(kitDir, resolve(x)) : x);
    const manifest = writeKit(args.kit, {
      target, space, spaceArg: abs(spaceArg), blocks: work.blocks, mode: fewshot ? 'fewshot' : 'table', seed: args.seed, calibrate: args.calibrate, calibrateSpan: args.calibrateSpan,
      networks: plan ? plan.chosen.map((i) => plan.candidates[i] as (typeof plan.candidates)[number]) : work.calibration,
      ...(fewshot ? { from: (args.from ?? []).map(abs) } : {}),
      settings: { ...args.kitSettings, rounds: args.rounds ?? 3 },
    }, new ExporterModelFactory());
    print(args, { kit: args.kit, models: manifest.models.length, mode: manifest.mode }, `wrote kit ${args.kit}: ${manifest.models.length} models, run.sh, README.md; run it with the phone attached, then layernas profile --ingest ${args.kit}`);
    return;
  }
  const sources = resolveFewShotSources(args.from ?? [], space);
  const backend = backendForTarget(target, new ExporterModelFactory());
  try {
    backend.checkVersion();
    const { table, fit } = await runFewShotProfile({ target, space, sources, networks: args.networks as number, seed: args.seed, protocol: { ...DEFAULT_PROTOCOL, rounds: args.rounds ?? DEFAULT_PROTOCOL.rounds } }, backend, new StderrProgress());
    const out = args.out ?? `${target.id}-${space.name}-${table.metadata.input.height}-fewshot.json`;
    writeTableFile(out, table);
    print(args, { table: out, fewshot: table.metadata.fewshot }, `wrote ${out}: few-shot estimate from ${fit.networks} networks, base ${fit.base}, leave-one-out error ${(100 * fit.looRmse).toFixed(1)}% rms`);
  } finally {
    backend.close();
  }
}
