/**
 * The checks a verification is judged on, as data: each one names what was compared, the value, the threshold and
 * whether it held. `layernas verify` and `design`'s verify stage build their checks here and take the verdict from
 * `verdict` (one error formula, one rule: every check must hold).
 */
import { coverageAdvice } from '../profile/fewshot-coverage.js';
import { median } from '../profile/stats.js';

export interface VerifyCheck {
  /** e.g. 'latency vs prediction', 'latency vs budget', 'outputs vs reference', 'test agreement model_int8.tflite' */
  readonly name: string;
  readonly passed: boolean;
  readonly value: number;
  readonly threshold: number;
  /** how value and threshold compare when the check holds */
  readonly rule: '<=' | '>=' | '|x| <=';
  readonly unit: 'ms' | '%' | 'share' | 'relative';
  /** one line a user reads: what was measured against what */
  readonly detail: string;
  /** true: judged on a file the target does not ship (e.g. the int8 file of a float target): reported as a warning
   *  when it fails, not part of the verdict (the deployed file is the truth) */
  readonly advisory?: boolean;
}

/** allowed |latency error| in % when none is given (`verify --tolerance`, `design --tolerance`, the library's verify) */
export const DEFAULT_TOLERANCE_PCT = 10;

/**
 * The allowed |error| of the latency-vs-prediction check. A few-shot table (src/profile/fewshot-table.ts) is an
 * estimate fitted from N measured networks and says how good it is: its leave-one-out errors. Against such a table
 * the check asks whether the deployed file is within three times their median |error| (about the estimate's 95% band:
 * on the shared data 96-97% of all networks at N = 10 and 20, as twice the rms error covers; scratch coverage check,
 * docs/targets.md) or the requested tolerance, whichever is wider; the budget check, on the measured latency, still
 * decides whether the file fits. The median, not the rms: one network far off when left out (the only one of its
 * operator kind in a refined table) says little about the others and would widen the band for every network. Any
 * other table: the requested tolerance.
 */
export function predictionTolerance(requestedPct: number, fewshotLooErrors?: readonly number[]): { pct: number; basis: string | null } {
  if (fewshotLooErrors === undefined || fewshotLooErrors.length === 0) return { pct: requestedPct, basis: null };
  const med = median(fewshotLooErrors.map(Math.abs));
  const band = Math.ceil(Number((300 * med).toFixed(6)));
  return band > requestedPct
    ? { pct: band, basis: `3 x the few-shot table's median leave-one-out error ${(100 * med).toFixed(1)}%` }
    : { pct: requestedPct, basis: null };
}

/** (measured - predicted) / predicted, in %: the latency error everywhere in layernas */
export function latencyErrorPct(measuredMs: number, predictedMs: number): number {
  return (100 * (measuredMs - predictedMs)) / predictedMs;
}

function check(name: string, value: number, rule: VerifyCheck['rule'], threshold: number, unit: VerifyCheck['unit'], detail: string): VerifyCheck {
  const passed = rule === '<=' ? value <= threshold : rule === '>=' ? value >= threshold : Math.abs(value) <= threshold;
  return { name, passed, value, threshold, rule, unit, detail };
}

export interface LatencyEvidence {
  readonly file: string;
  readonly predictedMs: number;
  /** the deployed file's median, at the table's speed when a speed anchor corrected it */
  readonly measuredMs: number;
  /** how measuredMs was obtained, for the detail line */
  readonly basis: string;
  readonly tolerancePct: number;
  /** why the tolerance is not the requested one (predictionTolerance) */
  readonly toleranceBasis?: string | null;
  /** what to do when a few-shot estimate is off beyond its band (src/profile/fewshot-coverage.ts coverageAdvice) */
  readonly fewshotAdvice?: string;
  /** the budget the design was asked for (absent: no budget check, e.g. `verify` without --budget-ms) */
  readonly budgetMs?: number;
}

/** measured vs predicted (within ±tolerance %) and, with a budget, measured <= budget */
export function latencyChecks(e: LatencyEvidence): VerifyCheck[] {
  const err = latencyErrorPct(e.measuredMs, e.predictedMs);
  const off = Math.abs(err) > e.tolerancePct;
  const checks = [check('latency vs prediction', err, '|x| <=', e.tolerancePct, '%',
    `${e.file}: measured ${e.measuredMs.toFixed(3)} ms (${e.basis}) vs predicted ${e.predictedMs.toFixed(3)} ms: error ${err.toFixed(1)}% (allowed ±${e.tolerancePct}%${e.toleranceBasis ? `: ${e.toleranceBasis}` : ''})` +
    (off && e.toleranceBasis ? `; the few-shot estimate is off for this network beyond its own stated error: ${e.fewshotAdvice ?? coverageAdvice(null)}` : ''))];
  if (e.budgetMs !== undefined) {
    checks.push(check('latency vs budget', e.measuredMs, '<=', e.budgetMs, 'ms',
      `${e.file}: measured ${e.measuredMs.toFixed(3)} ms (${e.basis}) ${e.measuredMs <= e.budgetMs ? '<=' : '>'} budget ${e.budgetMs} ms`));
  }
  return checks;
}

/** float files vs our reference forward pass (or each other): max relative difference <= tolerance */
export function outputCheck(kind: string, maxRelativeDiff: number, tolerance: number, files: number): VerifyCheck {
  return check('outputs vs reference', maxRelativeDiff, '<=', tolerance, 'relative',
    `${files} float file(s) ${kind}: max relative difference ${maxRelativeDiff.toExponential(2)} (allowed ${tolerance})`);
}

/** share of test images on which a file predicts the trained model's class */
export function agreementCheck(file: string, share: number, minimum: number, images: number): VerifyCheck {
  return check(`test agreement ${file}`, share, '>=', minimum, 'share',
    `${file}: same class as the trained model on ${(100 * share).toFixed(2)}% of ${images} test images (required ${(100 * minimum).toFixed(1)}%)`);
}

export interface Verdict {
  readonly passed: boolean;
  /** the detail line of every check that failed */
  readonly failures: readonly string[];
  /** the detail line of every advisory check that did not hold (files the target does not ship) */
  readonly warnings: readonly string[];
}

/** every check that is not advisory must hold; failed advisory checks become warnings */
export function verdict(checks: readonly VerifyCheck[]): Verdict {
  const failed = checks.filter((c) => !c.passed && !c.advisory);
  const warned = checks.filter((c) => !c.passed && c.advisory);
  return {
    passed: failed.length === 0,
    failures: failed.map((c) => `${c.name} FAILED: ${c.detail}`),
    warnings: warned.map((c) => `${c.name} below its minimum (not the deployed file): ${c.detail}`),
  };
}
