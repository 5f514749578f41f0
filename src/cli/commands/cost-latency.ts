/**
 * `cost --target`: the predicted latency of every layer from the target's table (nn-Meter's `predict` for one
 * network), with the table entry each figure comes from; a table miss prices what it can and lists the missing keys
 * with what to run instead.
 */
import type { NetworkCost } from '../../arch/shapes.js';
import { formatLayer } from '../../arch/grammar.js';
import type { NetworkSpec } from '../../arch/spec.js';
import { checkTableMatchesTarget, loadTable, loadTargetTables } from '../../cost/latency-table.js';
import { tableForInput, type LatencyFallback } from '../../cost/latency-predictor.js';
import type { PricedNetwork } from '../../cost/price-network.js';
import { priceWithTableHead } from '../../cost/table-head.js';
import { resolveTarget } from '../../targets/load.js';
import { groupDigits, renderTable } from '../table.js';

export interface TargetLatency extends PricedNetwork {
  readonly target: string;
  readonly fallback: LatencyFallback;
  readonly warnings: readonly string[];
}

/** `extraTables`: tables tried first, e.g. the one a design run profiled (<run>/latency/*.json) when it is the target's */
export function targetLatency(spec: NetworkSpec, targetRef: string, fallback: LatencyFallback, extraTables: readonly string[] = []): TargetLatency {
  const loaded = resolveTarget(targetRef);
  const { tables: own, warnings } = loadTargetTables(loaded.tableFiles, loaded.target);
  const extra = extraTables.map((f) => loadTable(f)).filter((t) => { try { checkTableMatchesTarget(t, loaded.target); return true; } catch { return false; } });
  const covering = extra.find((t) => { const m = t.data.metadata.input; return m.height === spec.input.height && m.width === spec.input.width && m.channels === spec.input.channels && priceWithTableHead(spec, t, fallback).total_ms !== null; });
  const table = covering ?? tableForInput(own, spec.input);
  const { headNote, ...priced } = priceWithTableHead(spec, table, fallback);
  return { target: loaded.target.id, fallback, warnings: headNote ? [...warnings, headNote] : warnings, ...priced };
}

const ms = (v: number): string => v.toFixed(4);

export function latencyTable(spec: NetworkSpec, cost: NetworkCost, lat: TargetLatency): string {
  const byIndex = new Map(lat.layers.map((l) => [l.index, l]));
  const rows = cost.layers.map((l) => {
    const p = byIndex.get(l.index);
    const entry = !p ? 'MISSING' : p.source === 'table' ? 'table' : `nearest-shape ${p.fallback?.fromKey ?? ''} x${(p.fallback?.scale ?? 1).toFixed(2)}`;
    return [String(l.index), formatLayer(l.layer), `${l.input.h}x${l.input.w}x${l.input.c}`, groupDigits(l.madds), p ? ms(p.ms) : '-', entry];
  });
  const table = renderTable(
    [{ title: '#', align: 'right' }, { title: 'block', align: 'left' }, { title: 'input', align: 'left' }, { title: 'MAdds', align: 'right' }, { title: 'ms', align: 'right' }, { title: 'entry', align: 'left' }],
    rows,
  );
  const lines = [
    `${spec.name ?? 'network'} on ${lat.target} (table ${lat.table})`,
    table,
    `fixed parts: ${ms(lat.fixed_ms)} ms`,
  ];
  if (lat.total_ms !== null) {
    lines.push(`predicted latency: ${ms(lat.total_ms)} ms (${lat.layers.length} layers${lat.layers.some((l) => l.source === 'fallback') ? `, ${lat.layers.filter((l) => l.source === 'fallback').length} by the ${lat.fallback} fallback` : ''})`);
  } else {
    lines.push(
      `priced: ${ms(lat.priced_ms)} ms for ${lat.layers.length} of ${lat.layers.length + lat.missing.length} layers (a lower bound); ${lat.missing.length} key(s) missing from the table:`,
      ...lat.missing.map((m) => `  layer ${m.index}: ${m.key}${m.sameBlockShapes > 0 ? ` (${m.sameBlockShapes} entr${m.sameBlockShapes === 1 ? 'y' : 'ies'} of this block at other shapes: --fallback nearest-shape prices it)` : ''}`),
      `to measure them: put the network string in a file (net.txt) and run layernas profile --target ${lat.target} --space net.txt`,
    );
  }
  lines.push(...lat.warnings.map((w) => `warning: ${w}`));
  return lines.join('\n');
}
