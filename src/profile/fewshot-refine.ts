/**
 * A few-shot table refined with more measured networks: the table's own N measurements plus networks measured since
 * (a design's search candidates, measured on the device before training: src/design/refine-stage.ts), refitted
 * exactly as `profile --from … --networks` fits (src/profile/fewshot-table.ts). A search drives to corners of the
 * space that the N chosen networks do not cover; measuring where it went and refitting is what corrects the estimate
 * there (j26: host ORT from phone TFLite tables priced an all-e1 grouped winner at 0.883 ms, measured 0.611 ms; with
 * that one network added, 96% instead of 62% of 1,020 random networks came within ±10% of the block-by-block table).
 */
import { existsSync } from 'node:fs';
import { parseNetwork } from '../arch/grammar.js';
import type { NetworkSpec } from '../arch/spec.js';
import { LayernasError } from '../core/errors.js';
import { loadTable, type LatencyTable, type LatencyTableData } from '../cost/latency-table.js';
import type { SearchSpace } from '../space/types.js';
import type { Target } from '../targets/schema.js';
import { resolveFewShotSources } from './fewshot-profile.js';
import { buildFewShotTable, fewShotCandidates, fewShotFeaturesOf, type FewShotSource } from './fewshot-table.js';

/** the source tables a few-shot table was fitted from: by name (a target id) or, failing that, the file it recorded */
export function sourcesOfFewShotTable(table: LatencyTable, space: SearchSpace): FewShotSource[] {
  const fs = table.data.metadata.fewshot;
  if (!fs) throw new LayernasError('USAGE', `${table.file} is not a few-shot table`, { table: table.file });
  const files = table.data.metadata.source?.files ?? [];
  return fs.sources.map((name, i) => {
    try {
      return resolveFewShotSources([name], space)[0] as FewShotSource;
    } catch (err) {
      const file = files[i];
      if (file !== undefined && existsSync(file)) return { name, table: loadTable(file) };
      throw new LayernasError('TABLE_MISSING_KEY', `few-shot table ${table.file}: its source "${name}" is neither a target nor a readable table (${file ?? 'no file recorded'})`, { table: table.file, source: name, cause: String(err) });
    }
  });
}

export interface RefineRequest {
  readonly table: LatencyTable;
  readonly target: Target;
  readonly space: SearchSpace;
  readonly sources: readonly FewShotSource[];
  /** networks measured since, at the table's speed (priced networks: the table's head) */
  readonly added: readonly { readonly spec: NetworkSpec; readonly ms: number }[];
  readonly how: string;
}

/** the table refitted on its N measurements plus `added` (networks already among them are measured again: the new figure replaces none, both count) */
export function refineFewShotTable(req: RefineRequest): LatencyTableData {
  const old = req.table.data.metadata;
  const fs = old.fewshot;
  if (!fs) throw new LayernasError('USAGE', `${req.table.file} is not a few-shot table`, { table: req.table.file });
  if (req.added.length === 0) throw new LayernasError('USAGE', 'refining a few-shot table needs at least one more measured network', {});
  // the same universe of candidates the table was planned over (its seed), plus the measured networks themselves
  const base = fewShotCandidates(req.space, fs.seed).candidates;
  const measured = [...fs.measured.map((m) => ({ spec: parseNetwork(m.arch), ms: m.ms })), ...req.added];
  const candidates = [...base, ...measured.map((m) => m.spec)];
  // corrections by stage (as profile fits) or by stage and operator kind, whichever the leave-one-out error prefers:
  // a search's networks are where one kind dominates, and only then can a kind's own speed be told apart
  const [table] = [false, true].map((kinds) => buildFewShotTable({
    target: req.target, space: req.space, sources: req.sources, measuredMs: measured.map((m) => m.ms), pinned: req.added.length, runtimeVersion: old.runtime.version, seed: fs.seed,
    plan: { dnas: [], candidates, features: fewShotFeaturesOf(req.sources, candidates, kinds), chosen: measured.map((_, j) => base.length + j) },
    how: `${fs.networks} chosen by profile, ${req.added.length} added: ${req.how}; corrections by stage${kinds ? ' and operator kind' : ''}`, ...(old.anchor ? { anchor: old.anchor } : {}),
  })).sort((a, b) => a.fit.looRmse - b.fit.looRmse).map((r) => r.table) as [LatencyTableData];
  const fewshot = table.metadata.fewshot;
  if (fewshot) table.metadata.fewshot = { ...fewshot, refined_with: (fs.refined_with ?? 0) + req.added.length };
  table.metadata.notes = [...table.metadata.notes, `refined: ${req.added.length} network(s) added to the ${fs.networks} of ${req.table.file} (${req.how})`];
  return table;
}
