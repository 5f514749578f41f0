/**
 * A search problem assembled from plain options (CLI flags, benchmark settings): space, cost models, constraints,
 * bucket costs and evaluator. Every name is resolved by an explicit switch; unknown names are USAGE errors.
 */
import { isLayernasError, LayernasError } from '../core/errors.js';
import { loadTargetTables } from '../cost/latency-table.js';
import { targetLatencyCostModel } from '../cost/target-latency-model.js';
import { resolveTarget } from '../targets/load.js';
import { fbnetLatencyCost, isNb201Device, natsSssCost, nb201LatencyCost, nb201ParamsCost, perArchitectureCostModel, proxylessPixel1Cost } from '../cost/tabular-latency.js';
import type { CostConstraint, CostModel } from '../cost/types.js';
import { CsvTabularEvaluator, UserCsvTable } from '../eval/tabular-csv.js';
import { isNb201Dataset, loadNb201Accuracy, Nb201TabularEvaluator } from '../eval/tabular-nb201.js';
import type { Evaluator } from '../eval/types.js';
import { Constraints } from '../search/constraints.js';
import { loadSpace } from '../space/load.js';
import { networkCostModel } from '../cost/network-cost.js';
import { dnaIndex, type Dna, type SearchSpace } from '../space/types.js';

export interface ConstraintOption {
  /** `latency:<device>` (or `latency:<target>` on mobilenetv2 / fbnet_stages spaces), `madds` or `params` */
  readonly cost: string;
  readonly low?: number;
  readonly high?: number;
}

export interface ProblemOptions {
  readonly space: string;
  /** nb201: cifar10 | cifar100 | ImageNet16-120 (tabular accuracy, and classifier size for params) */
  readonly dataset?: string;
  readonly constraints: readonly ConstraintOption[];
  /** costs to bucket LayerNAS by when no constraint is given (default: params when available) */
  readonly bucketBy?: readonly string[];
  readonly noiseStd?: number;
  /** generic CSV evaluator instead of the built-in table */
  readonly csv?: { readonly file: string; readonly rewardColumn: string };
}

/** What a search algorithm and a study need: the space, the constraints, the costs LayerNAS buckets by and the reported costs. */
export interface SearchProblem {
  readonly space: SearchSpace;
  readonly constraints: Constraints;
  readonly bucketCosts: readonly CostModel[];
  readonly reportCosts: readonly CostModel[];
}

/**
 * The search problem of cost models already built (the CLI's `search` resolves them by name, `design` from a target's
 * latency table): constraints checked (min <= max; at most two, LayerNAS buckets are 1-D or 2-D). Bucket costs
 * default to the constrained ones, reported costs to the constrained and bucket costs.
 */
export function searchProblem(space: SearchSpace, list: readonly CostConstraint[], costs: { readonly bucketCosts?: readonly CostModel[]; readonly reportCosts?: readonly CostModel[] } = {}): SearchProblem {
  for (const c of list) {
    if (Number.isNaN(c.low) || Number.isNaN(c.high) || c.low > c.high) throw new LayernasError('USAGE', `constraint on ${c.model.name}: need min <= max, got [${c.low}, ${c.high}]`);
  }
  if (list.length > 2) throw new LayernasError('USAGE', `at most two cost constraints (LayerNAS buckets are 1-D or 2-D), got ${list.length}`);
  const constraints = new Constraints(space, list);
  const bucketCosts = costs.bucketCosts ?? list.map((c) => c.model);
  return { space, constraints, bucketCosts, reportCosts: costs.reportCosts ?? [...new Set([...list.map((c) => c.model), ...bucketCosts])] };
}

export interface Problem extends SearchProblem {
  readonly options: ProblemOptions;
  /** the evaluator for one run (noise seeded per run) */
  evaluator(noiseSeed: number): Evaluator;
  /** true test accuracy (or the CSV's reward column) of every architecture when known (benchmarks, oracle) */
  readonly accuracy: AccuracyTable | undefined;
}

/** A reward for every architecture of a small space, indexed by dnaIndex. */
export interface AccuracyTable {
  readonly values: Float64Array;
  accuracy(dna: Dna): number;
}

const DATASET_CLASSES: Record<string, number> = { cifar10: 10, cifar100: 100, 'ImageNet16-120': 120 };

export function resolveCost(space: SearchSpace, spec: string, dataset: string | undefined, csv?: UserCsvTable): CostModel {
  const [kind, arg] = spec.split(':', 2) as [string, string | undefined];
  const classes = dataset ? DATASET_CLASSES[dataset] : undefined;
  switch (kind) {
    case 'latency':
      if (!arg) throw new LayernasError('USAGE', `cost "${spec}": give a device, e.g. latency:pixel3`);
      switch (space.decoder) {
        case 'nb201':
          if (!isNb201Device(arg)) throw new LayernasError('TABLE_MISSING_KEY', `no NB201 latency table for device "${arg}" (pixel3, raspi4, pixel2, samsung_a50, eyeriss, fpga)`, { key: arg });
          return nb201LatencyCost(space, arg);
        case 'fbnet':
          return fbnetLatencyCost(space, arg);
        case 'mobilenetv2':
          if (arg === 'pixel1') return proxylessPixel1Cost(space);
          return targetCost(space, arg, spec, classes) ?? fail('TABLE_MISSING_KEY', `the mobilenetv2 space has a latency table for pixel1 only, not "${arg}" (nor is "${arg}" a target: layernas targets list)`, { key: arg });
        case 'fbnet_stages':
          return targetCost(space, arg, spec, classes) ?? fail('TABLE_MISSING_KEY', `space ${space.name}: the shipped FBNet LUTs are keyed by the 22-layer fbnet space; price fbnet_stages through a target's table (--cost latency:pixel3-tflite)`, { key: spec });
        case 'nats_sss':
        case 'generic':
          throw new LayernasError('TABLE_MISSING_KEY', `no latency table for space ${space.name}`, { key: spec });
      }
      break;
    case 'csv':
      if (!arg) throw new LayernasError('USAGE', `cost "${spec}": give the CSV column, e.g. csv:latency_ms`);
      if (!csv) throw new LayernasError('USAGE', `cost "${spec}" reads your CSV: give --csv <file> (and --reward-column)`);
      return perArchitectureCostModel(space, 'latency_ms', spec, csv.columnByIndex(arg));
    case 'madds':
    case 'params':
      if (arg !== undefined) throw new LayernasError('USAGE', `cost "${spec}" takes no argument`);
      if (space.decoder === 'nats_sss') return natsSssCost(space, kind, dataset ?? 'cifar10');
      if (space.decoder === 'nb201' && kind === 'params') return nb201ParamsCost(space, dataset ?? 'cifar10');
      return networkCostModel(space, kind, classes);
  }
  throw new LayernasError('USAGE', `unknown cost "${spec}": use latency:<device>, madds, params or csv:<column of your --csv>`);
}

function fail(code: 'TABLE_MISSING_KEY', message: string, details: Record<string, unknown>): never {
  throw new LayernasError(code, message, details);
}

/**
 * `latency:<target>` on a per-block space: the target's latency table prices every network (the cost model `design`
 * builds from the table it priced with, src/cost/target-latency-model.ts); undefined when `<target>` names no target.
 */
function targetCost(space: SearchSpace, targetRef: string, name: string, classes: number | undefined): CostModel | undefined {
  let loaded;
  try {
    loaded = resolveTarget(targetRef);
  } catch (e) {
    if (isLayernasError(e, 'TARGET_UNKNOWN')) return undefined;
    throw e;
  }
  const { tables } = loadTargetTables(loaded.tableFiles, loaded.target);
  return targetLatencyCostModel(space, tables, name, classes !== undefined ? { classes } : {});
}

export function buildProblem(options: ProblemOptions): Problem {
  const space = loadSpace(options.space);
  if (options.dataset !== undefined && space.decoder === 'nb201' && !isNb201Dataset(options.dataset)) {
    throw new LayernasError('USAGE', `unknown dataset "${options.dataset}" for nb201: cifar10, cifar100, ImageNet16-120`);
  }
  // the user's CSV is read and checked completely before anything else runs (reward and csv:<column> costs)
  const csvCostColumns = [...options.constraints.map((c) => c.cost), ...(options.bucketBy ?? [])].filter((c) => c.startsWith('csv:')).map((c) => c.slice(4));
  const csvTable = options.csv ? UserCsvTable.load(space, options.csv.file, [options.csv.rewardColumn, ...new Set(csvCostColumns)]) : undefined;
  const models = new Map<string, CostModel>();
  const model = (spec: string): CostModel => {
    let m = models.get(spec);
    if (!m) {
      m = resolveCost(space, spec, options.dataset, csvTable);
      models.set(spec, m);
    }
    return m;
  };
  const list: CostConstraint[] = options.constraints.map((c) => {
    const low = c.low ?? -Infinity;
    const high = c.high ?? Infinity;
    if (Number.isNaN(low) || Number.isNaN(high) || low > high) throw new LayernasError('USAGE', `constraint on ${c.cost}: need min <= max, got [${c.low}, ${c.high}]`);
    return { model: model(c.cost), low, high };
  });
  const defaultBucket = space.decoder === 'generic' ? [] : ['params'];
  const base = searchProblem(space, list, list.length > 0 ? {} : { bucketCosts: (options.bucketBy ?? defaultBucket).map(model) });
  const csvEval = csvTable && options.csv ? CsvTabularEvaluator.fromTable(csvTable, options.csv.rewardColumn) : undefined;
  const nb201Accuracy = space.decoder === 'nb201' && options.dataset && isNb201Dataset(options.dataset) && !options.csv ? loadNb201Accuracy(space, options.dataset) : undefined;
  let accuracy: AccuracyTable | undefined = nb201Accuracy;
  if (csvTable && options.csv && csvTable.complete) {
    const values = csvTable.columnByIndex(options.csv.rewardColumn);
    accuracy = { values, accuracy: (dna) => values[dnaIndex(space, dna)] as number };
  }
  return {
    ...base,
    options,
    accuracy,
    evaluator(noiseSeed: number): Evaluator {
      if (csvEval) return csvEval;
      if (nb201Accuracy) {
        return new Nb201TabularEvaluator(space, nb201Accuracy, { dataset: nb201Accuracy.dataset, noiseStd: options.noiseStd ?? 0, noiseSeed });
      }
      throw new LayernasError('USAGE', `space ${space.name} has no built-in tabular evaluator${options.dataset ? ` for dataset ${options.dataset}` : ''}: give --csv <file> --reward-column <col> (nb201: --dataset cifar10|cifar100|ImageNet16-120)`);
    },
  };
}
