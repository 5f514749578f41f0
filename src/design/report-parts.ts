/**
 * Pieces of the design report that help a user decide (report-html.ts assembles them): the Pareto front of the
 * trials, the candidates worth shipping as a sortable table, per-layer latency bars of the winner, a drawing of the
 * winner's architecture, and the list of checks with the reason of every failure. Pure functions of the summary.
 */
import { parseNetwork, formatLayer } from '../arch/grammar.js';
import { walkShapes } from '../arch/shapes.js';
import type { DesignSummary, DesignTrialRow } from './summary.js';

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const fmt = (x: number | null | undefined, digits = 2): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);

/** a share (0..1) as a percent with its unit */
export const pct = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(digits)}%`);

export type ScoredTrial = DesignTrialRow & { reward: number };

/** non-dominated trials (lower latency, higher accuracy), by latency; each one more accurate than every faster one */
export function paretoFront(rows: readonly ScoredTrial[]): ScoredTrial[] {
  const sorted = [...rows].sort((a, b) => a.predictedLatencyMs - b.predictedLatencyMs || b.reward - a.reward);
  const front: ScoredTrial[] = [];
  let best = -Infinity;
  for (const r of sorted) {
    if (r.reward > best) {
      front.push(r);
      best = r.reward;
    }
  }
  return front;
}

/** one distinct architecture per DNA (the best reward of its trials) */
export function distinctTrials(summary: DesignSummary): ScoredTrial[] {
  const byDna = new Map<string, ScoredTrial>();
  for (const t of summary.trials) {
    if (t.reward === null) continue;
    const k = t.dna.join('-');
    const old = byDna.get(k);
    if (!old || t.reward > old.reward) byDna.set(k, t as ScoredTrial);
  }
  return [...byDna.values()];
}

/** a table whose columns sort on a click (numbers by value via data-v); works without the script too */
export function sortableTable(id: string, headers: readonly string[], rows: readonly (readonly { html: string; value?: number | string }[])[]): string {
  const head = headers.map((h, i) => `<th data-col="${i}" title="click to sort">${esc(h)} ⇅</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td${c.value !== undefined ? ` data-v="${esc(String(c.value))}"` : ''}>${c.html}</td>`).join('')}</tr>`).join('\n');
  return `<table class="sortable" id="${id}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** the few lines that make every .sortable table sortable by clicking a header */
export const SORT_SCRIPT = `<script>
for (const t of document.querySelectorAll('table.sortable')) {
  t.querySelectorAll('th').forEach((th) => th.addEventListener('click', () => {
    const col = Number(th.dataset.col), body = t.tBodies[0], asc = th.dataset.dir !== 'asc';
    t.querySelectorAll('th').forEach((h) => delete h.dataset.dir); th.dataset.dir = asc ? 'asc' : 'desc';
    const key = (tr) => { const c = tr.cells[col]; const v = c.dataset.v ?? c.textContent; const n = Number(v); return Number.isNaN(n) ? v : n; };
    [...body.rows].sort((a, b) => { const x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1); }).forEach((r) => body.appendChild(r));
  }));
}
</script>`;

/** candidates worth shipping: the Pareto front within the budget, plus the winner */
export function candidateTable(summary: DesignSummary): string {
  const feasible = distinctTrials(summary).filter((t) => t.feasible);
  const front = paretoFront(feasible);
  const winnerKey = summary.winner.dna.join('-');
  const rows = [...front];
  const w = feasible.find((t) => t.dna.join('-') === winnerKey);
  if (w && !rows.includes(w)) rows.push(w);
  const final = new Map(summary.finals.map((f) => [f.dna.join('-'), f]));
  return sortableTable('candidates', ['architecture', 'found by', 'pred. latency (ms)', 'budget used', 'MAdds (M)', 'params (k)', 'proxy val. accuracy', 'test accuracy (full training)'], rows.map((r) => {
    const f = final.get(r.dna.join('-'));
    const isWinner = r.dna.join('-') === winnerKey;
    return [
      { html: `${isWinner ? '<b>winner</b> ' : ''}<code>${esc(r.dna.join('-'))}</code>`, value: r.dna.join('-') },
      { html: r.algorithm === 'layernas' ? 'LayerNAS' : esc(r.algorithm), value: r.algorithm },
      { html: fmt(r.predictedLatencyMs, 3), value: r.predictedLatencyMs },
      { html: pct(r.predictedLatencyMs / summary.budget.latencyMs, 0), value: r.predictedLatencyMs / summary.budget.latencyMs },
      { html: fmt(r.madds / 1e6, 2), value: r.madds },
      { html: fmt(r.params / 1e3, 1), value: r.params },
      { html: pct(r.reward), value: r.reward },
      { html: f ? pct(f.testAccuracy) : 'not trained', value: f ? f.testAccuracy : -1 },
    ];
  }));
}

/** horizontal bars: predicted latency of each layer of the winner (from the table the design priced with) */
export function layerBarsSvg(summary: DesignSummary, width = 720): string {
  const layers = summary.winnerLatency?.layers ?? [];
  if (layers.length === 0) return '<p>Per-layer latency is not in this summary (written by an older layernas).</p>';
  const rowH = 18, left = 250, right = width - 70, top = 10;
  const max = Math.max(...layers.map((l) => l.ms), 1e-9);
  const height = top + rowH * layers.length + 30;
  const total = summary.winnerLatency?.totalMs ?? 0;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="predicted latency per layer of the winner">`];
  layers.forEach((l, i) => {
    const y = top + i * rowH;
    const w = ((right - left) * l.ms) / max;
    parts.push(`<text x="${left - 6}" y="${y + 12}" font-size="11" text-anchor="end">${i}. ${esc(l.block)}</text>`,
      `<rect x="${left}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 5}" fill="#2c7fb8"><title>${esc(l.key)}: ${fmt(l.ms, 4)} ms</title></rect>`,
      `<text x="${(left + w + 4).toFixed(1)}" y="${y + 12}" font-size="10">${fmt(l.ms, 4)} ms (${pct(total > 0 ? l.ms / total : null, 0)})</text>`);
  });
  parts.push(`<text x="${left}" y="${height - 8}" font-size="11">fixed parts ${fmt(summary.winnerLatency?.fixedMs, 4)} ms; total ${fmt(total, 4)} ms predicted on ${esc(summary.target)}</text>`, '</svg>');
  return parts.join('\n');
}

const OP_COLORS: Readonly<Record<string, string>> = { conv: '#8e44ad', ir: '#2c7fb8', skip: '#95a5a6', gap: '#16a085', fc: '#e67e22' };

/** the winner drawn as a chain of blocks, each with its output shape; block width grows with its MAdds */
export function architectureSvg(arch: string, width = 1040): string {
  let rows;
  try {
    rows = walkShapes(parseNetwork(arch));
  } catch {
    return `<p><code>${esc(arch)}</code></p>`;
  }
  const perRow = 6, boxW = (width - 20) / perRow - 14, boxH = 46, gapY = 26;
  const height = Math.ceil(rows.length / perRow) * (boxH + gapY) + 10;
  const maxM = Math.max(...rows.map((r) => r.madds), 1);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="architecture of the winner">`];
  rows.forEach((r, i) => {
    const col = i % perRow, row = Math.floor(i / perRow);
    const x = 10 + col * (boxW + 14), y = 6 + row * (boxH + gapY);
    const color = OP_COLORS[r.layer.op] ?? '#7f8c8d';
    const bar = Math.max(2, (boxW - 8) * Math.sqrt(r.madds / maxM));
    parts.push(`<g><rect x="${x.toFixed(1)}" y="${y}" width="${boxW.toFixed(1)}" height="${boxH}" rx="6" fill="#fff" stroke="${color}" stroke-width="2"/>`,
      `<text x="${(x + 6).toFixed(1)}" y="${y + 16}" font-size="11" font-weight="bold" fill="${color}">${esc(formatLayer(r.layer))}</text>`,
      `<text x="${(x + 6).toFixed(1)}" y="${y + 30}" font-size="10">→ ${r.output.h}x${r.output.w}x${r.output.c}</text>`,
      `<rect x="${(x + 4).toFixed(1)}" y="${y + boxH - 9}" width="${bar.toFixed(1)}" height="4" fill="${color}" opacity="0.5"><title>${fmt(r.madds / 1e6, 3)} M MAdds</title></rect></g>`);
    if (i < rows.length - 1) {
      const sameRow = col < perRow - 1;
      parts.push(sameRow
        ? `<line x1="${(x + boxW).toFixed(1)}" y1="${y + boxH / 2}" x2="${(x + boxW + 14).toFixed(1)}" y2="${y + boxH / 2}" stroke="#555" marker-end="url(#a)"/>`
        : `<path d="M${(x + boxW / 2).toFixed(1)} ${y + boxH} V${y + boxH + gapY / 2} H${(10 + boxW / 2).toFixed(1)} V${y + boxH + gapY}" fill="none" stroke="#555" marker-end="url(#a)"/>`);
    }
  });
  parts.splice(1, 0, '<defs><marker id="a" markerWidth="6" markerHeight="6" refX="5" refY="3" orient="auto"><path d="M0,0 L6,3 L0,6 z" fill="#555"/></marker></defs>');
  parts.push('</svg>');
  return parts.join('\n');
}

/** every check of the run with its verdict and, when it failed, why */
export function checkList(summary: DesignSummary): string {
  const checks = summary.checks ?? (summary.verifyFailures ?? []).map((f) => ({ name: 'check', passed: false, detail: f }));
  if (checks.length === 0) return `<p>Verification ${summary.verifyPassed ? 'passed' : 'did not pass'} (this summary does not list its checks).</p>`;
  // an advisory check (a file the target does not ship) that did not hold is a warning, not a failure
  const mark = (c: { passed: boolean; advisory?: boolean }): [string, string] => (c.passed ? ['ok', '✔'] : c.advisory ? ['warn', '⚠'] : ['fail', '✘']);
  return `<ul class="checks">${checks.map((c) => {
    const [cls, sym] = mark(c);
    return `<li class="${cls}">${sym} <b>${esc(c.name)}</b>: ${esc(c.detail)}${cls === 'warn' ? ' (not the deployed file: reported, not judged)' : ''}</li>`;
  }).join('')}</ul>`;
}
