/**
 * Is a network like the ones a few-shot table was fitted on? A few-shot estimate (src/profile/fewshot.ts) corrects
 * its sources per stage; a network made mostly of one operator kind that none of the N measured networks has much
 * of is an extrapolation (a search drives to such corners: all-`e1` grouped FBNet networks priced 30-45% too high
 * for this host's ONNX Runtime from phone TFLite tables, with 10 or 20 measured networks; docs/targets.md). Says
 * which kind, how much of the network, and the most any measured network has.
 */
import { parseNetwork } from '../arch/grammar.js';
import type { NetworkSpec } from '../arch/spec.js';
import { walkShapes } from '../arch/shapes.js';
import { operatorKind } from './calibration.js';

/** share of a network's layers per operator kind (table key's kind, e.g. ir_k5_e1_g2) */
function kindShares(spec: NetworkSpec): Map<string, number> {
  const rows = walkShapes(spec);
  const out = new Map<string, number>();
  for (const r of rows) {
    const kind = operatorKind(r.key);
    out.set(kind, (out.get(kind) ?? 0) + 1 / rows.length);
  }
  return out;
}

export interface CoverageGap {
  readonly kind: string;
  /** share of the network's layers of that kind */
  readonly share: number;
  /** the largest share of that kind among the measured networks */
  readonly measuredMax: number;
  readonly measured: number;
}

/** the operator kind by which `spec` most exceeds every measured network, when it does by more than `margin` */
export function fewshotCoverageGap(spec: NetworkSpec, measuredArchs: readonly string[], margin = 0.25): CoverageGap | null {
  if (measuredArchs.length === 0) return null;
  const measured = measuredArchs.map((a) => kindShares(parseNetwork(a)));
  let worst: CoverageGap | null = null;
  for (const [kind, share] of kindShares(spec)) {
    const measuredMax = Math.max(...measured.map((m) => m.get(kind) ?? 0));
    if (share - measuredMax > margin && (!worst || share - measuredMax > worst.share - worst.measuredMax)) worst = { kind, share, measuredMax, measured: measured.length };
  }
  return worst;
}

/** one line for a user: what is unlike the measured networks, and what to do */
export function coverageAdvice(gap: CoverageGap | null): string {
  return gap
    ? `the network is ${(100 * gap.share).toFixed(0)}% ${gap.kind} layers, none of the ${gap.measured} measured networks more than ${(100 * gap.measuredMax).toFixed(0)}%: the estimate extrapolates; profile every block on this target (profile --target … --space …)`
    : 'measure more networks (profile --from … --networks 20) or every block (profile --target … --space …)';
}
