/**
 * Renders a DesignSummary as one self-contained HTML page (inline CSS and SVG, a few lines of inline script to sort
 * tables, no network): accuracy vs latency with the Pareto front and the budget, the candidates worth shipping,
 * the winner's per-layer latency and architecture, every check with its reason. Accuracies are percents throughout;
 * the chosen model is "the winner" everywhere (with its DNA).
 */
import { architectureSvg, candidateTable, checkList, esc, fmt, layerBarsSvg, paretoFront, pct, SORT_SCRIPT, sortableTable } from './report-parts.js';
import type { DesignSummary, DesignTrialRow } from './summary.js';

const millions = (x: number): string => (x / 1e6).toFixed(2) + 'M';

interface Axis {
  readonly min: number;
  readonly max: number;
  readonly px: (v: number) => number;
}

function axis(values: readonly number[], from: number, to: number, padFrac = 0.05): Axis {
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (!Number.isFinite(min) || !Number.isFinite(max)) { min = 0; max = 1; }
  if (max - min < 1e-9) { min -= 0.5; max += 0.5; }
  const pad = (max - min) * padFrac;
  min -= pad;
  max += pad;
  return { min, max, px: (v: number) => from + ((v - min) / (max - min)) * (to - from) };
}

/** Round tick values (1, 2 or 5 times a power of ten apart) inside the axis, with the digits that tell them apart. */
function ticks(a: Axis, n = 5): { value: number; label: string }[] {
  const raw = (a.max - a.min) / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * p >= raw) ?? 10) * p;
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const out: { value: number; label: string }[] = [];
  for (let v = Math.ceil(a.min / step) * step; v <= a.max + 1e-12; v += step) out.push({ value: v, label: v.toFixed(digits) });
  return out;
}

/** Pareto scatter: accuracy vs predicted latency, budget line, winner highlighted. */
export function paretoSvg(summary: DesignSummary, width = 720, height = 420): string {
  const rows = summary.trials.filter((t): t is DesignTrialRow & { reward: number } => t.reward !== null);
  const layernasOnly = rows.filter((r) => r.algorithm === 'layernas');
  const left = 60, right = width - 20, top = 20, bottom = height - 50;
  const xs = axis([...rows.map((r) => r.predictedLatencyMs), summary.budget.latencyMs], left, right);
  const ys = axis(rows.map((r) => r.reward * 100), bottom, top);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="accuracy versus predicted latency">`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`);
  for (const t of ticks(xs)) {
    const x = xs.px(t.value).toFixed(1);
    parts.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#eee"/><text x="${x}" y="${bottom + 16}" font-size="11" text-anchor="middle">${t.label}</text>`);
  }
  for (const t of ticks(ys)) {
    const y = ys.px(t.value).toFixed(1);
    parts.push(`<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="#eee"/><text x="${left - 6}" y="${y}" font-size="11" text-anchor="end" dominant-baseline="middle">${t.label}</text>`);
  }
  parts.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333"/><line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333"/>`);
  parts.push(`<text x="${(left + right) / 2}" y="${height - 12}" font-size="12" text-anchor="middle">predicted latency on ${esc(summary.target)} (ms)</text>`);
  parts.push(`<text x="14" y="${(top + bottom) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${(top + bottom) / 2})">proxy validation accuracy (%)</text>`);
  // Pareto front of every scored trial: a step line through the non-dominated points
  const front = paretoFront(rows);
  if (front.length > 0) {
    const pts = front.map((r) => [xs.px(r.predictedLatencyMs), ys.px(r.reward * 100)] as const);
    const d = pts.map(([x, y], i) => (i === 0 ? `M${x.toFixed(1)} ${y.toFixed(1)}` : `H${x.toFixed(1)} V${y.toFixed(1)}`)).join(' ');
    parts.push(`<path d="${d} H${right}" fill="none" stroke="#e67e22" stroke-width="1.5" stroke-opacity="0.8"><title>Pareto front: no other trial is both faster and more accurate</title></path>`);
  }
  const bx = xs.px(summary.budget.latencyMs).toFixed(1);
  parts.push(`<line x1="${bx}" y1="${top}" x2="${bx}" y2="${bottom}" stroke="#c0392b" stroke-dasharray="6 4"/><text x="${bx}" y="${top + 12}" font-size="11" fill="#c0392b" dx="${Number(bx) > right - 120 ? -4 : 4}" text-anchor="${Number(bx) > right - 120 ? 'end' : 'start'}">budget ${fmt(summary.budget.latencyMs)} ms</text>`);
  const winnerKey = summary.winner.dna.join(',');
  for (const r of rows) {
    if (r.dna.join(',') === winnerKey) continue;
    const color = !r.feasible ? '#aaa' : r.algorithm === 'random' ? '#27ae60' : '#2c7fb8';
    const cx = xs.px(r.predictedLatencyMs).toFixed(1), cy = ys.px(r.reward * 100).toFixed(1);
    parts.push(r.algorithm === 'random'
      ? `<rect x="${(Number(cx) - 3.5).toFixed(1)}" y="${(Number(cy) - 3.5).toFixed(1)}" width="7" height="7" fill="${color}" fill-opacity="0.7"><title>random search #${r.number} ${esc(r.dna.join('-'))}: ${(r.reward * 100).toFixed(2)}%, ${r.predictedLatencyMs.toFixed(3)} ms</title></rect>`
      : `<circle cx="${cx}" cy="${cy}" r="3.5" fill="${color}" fill-opacity="0.7"><title>${r.algorithm === 'layernas' ? 'LayerNAS' : esc(r.algorithm)} #${r.number} ${esc(r.dna.join('-'))}: ${(r.reward * 100).toFixed(2)}%, ${r.predictedLatencyMs.toFixed(3)} ms</title></circle>`);
  }
  const w = layernasOnly.find((r) => r.dna.join(',') === winnerKey) ?? rows.find((r) => r.dna.join(',') === winnerKey);
  if (w) {
    const cx = xs.px(w.predictedLatencyMs).toFixed(1), cy = ys.px(w.reward * 100).toFixed(1);
    parts.push(`<circle cx="${cx}" cy="${cy}" r="8" fill="none" stroke="#e67e22" stroke-width="3"/><circle cx="${cx}" cy="${cy}" r="4" fill="#e67e22"><title>winner ${esc(w.dna.join('-'))}</title></circle>`);
  }
  // legend: only what this run has
  const hasRandom = rows.some((r) => r.algorithm === 'random');
  const hasOther = rows.some((r) => r.algorithm !== 'random');
  const legend: string[] = [];
  if (hasRandom) legend.push('<rect x="-4" y="-4" width="8" height="8" fill="#27ae60"/>|random search, within budget');
  if (hasOther) legend.push('<circle r="4" fill="#2c7fb8"/>|LayerNAS, within budget');
  if (rows.some((r) => !r.feasible)) legend.push('<circle r="4" fill="#aaa"/>|over budget');
  legend.push('<circle r="5" fill="#e67e22"/>|winner', '<line x1="-6" x2="6" stroke="#e67e22" stroke-width="1.5"/>|Pareto front', '<line x1="-6" x2="6" stroke="#c0392b" stroke-dasharray="3 2"/>|latency budget');
  parts.push(`<g font-size="11">${legend.map((l, i) => {
    const [mark, text] = l.split('|');
    const y = bottom - 8 - (legend.length - 1 - i) * 16;
    return `<g transform="translate(${right - 180} ${y - 4})">${mark}</g><text x="${right - 170}" y="${y}">${text}</text>`;
  }).join('')}</g>`);
  parts.push('</svg>');
  return parts.join('\n');
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = headers.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const ROLE_NAMES: Readonly<Record<string, string>> = { winner: 'winner', finalist: 'finalist', baseline: 'hand-designed baseline', 'random-search': 'random-search best' };

export function renderDesignReport(summary: DesignSummary): string {
  const winnerName = `winner <code>${esc(summary.winner.dna.join('-'))}</code>`;
  const winnerChoices = summary.winner.dna.map((opt, i) => [
    esc(summary.layerNames[i] ?? `layer ${i}`),
    esc(summary.optionNames[i]?.[opt] ?? String(opt)),
  ]);
  const finals = summary.finals.map((f) => [
    `<b>${esc(ROLE_NAMES[f.role] ?? f.role)}</b><br>${esc(f.description)}`, `<code>${esc(f.dna.join('-'))}</code>`, fmt(f.predictedLatencyMs, 3), millions(f.madds), millions(f.params),
    pct(f.proxyValAccuracy), pct(f.valAccuracy), `<b>${pct(f.testAccuracy)}</b>`, fmt(f.trainSeconds, 0) + ' s',
  ]);
  const latency = summary.latency.map((l) => [
    esc(l.format), esc(l.target), fmt(l.predictedMs, 3), fmt(l.measuredMedianMs, 3), l.errorPct === null ? '–' : (l.errorPct > 0 ? '+' : '') + fmt(l.errorPct, 1) + '%', esc(l.note ?? ''),
  ]);
  const files = summary.files.map((f) => [
    `<code>${esc(f.file)}</code>`, esc(f.format), String(f.bytes), `<code>${esc(f.sha256.slice(0, 16))}…</code>`,
    f.testAgreement === undefined ? '–' : pct(f.testAgreement), f.testAccuracy === undefined ? '–' : pct(f.testAccuracy),
  ]);
  const trials = summary.trials.map((t) => [
    { html: t.algorithm === 'layernas' ? 'LayerNAS' : esc(t.algorithm), value: t.algorithm }, { html: String(t.number), value: t.number },
    { html: `<code>${esc(t.dna.join('-'))}</code>`, value: t.dna.join('-') }, { html: fmt(t.predictedLatencyMs, 3), value: t.predictedLatencyMs },
    { html: millions(t.madds), value: t.madds }, { html: t.reward === null ? 'failed' : pct(t.reward), value: t.reward ?? -1 },
    { html: t.feasible ? 'yes' : 'no', value: t.feasible ? 1 : 0 }, { html: t.reused ? 'reused' : '' },
  ]);
  const timings = Object.entries(summary.timings).map(([k, v]) => [esc(k), fmt(v, 1) + ' s']);
  const w = summary.finals.find((f) => f.role === 'winner');
  const failed = (summary.checks ?? []).filter((c) => !c.passed);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>layernas design report — ${esc(summary.target)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f4f4f4}table.sortable th{cursor:pointer}code{font-size:12px;word-break:break-all}.kpi{display:flex;gap:24px;flex-wrap:wrap}
.kpi div{background:#f7f9fb;border:1px solid #e3e8ee;border-radius:6px;padding:8px 14px}.kpi b{display:block;font-size:20px}
.scroll{max-height:420px;overflow:auto;border:1px solid #eee}.checks{list-style:none;padding-left:4px}.checks .ok{color:#1e8449}.checks .fail{color:#c0392b}.checks .warn{color:#b9770e}
</style></head><body>
<h1>layernas design report</h1>
<p>Target <b>${esc(summary.target)}</b>, dataset <b>${esc(summary.dataset)}</b>, latency budget <b>${fmt(summary.budget.latencyMs)} ms</b>${summary.budget.maddsMax ? `, MAdds ≤ <b>${millions(summary.budget.maddsMax)}</b>` : ''}; space <b>${esc(summary.space)}</b>, ${summary.searchTrials} trials; created ${esc(summary.createdAt)}.</p>
<div class="kpi">${w ? `<div>winner test accuracy<b>${pct(w.testAccuracy)}</b></div><div>predicted latency<b>${fmt(w.predictedLatencyMs, 3)} ms</b></div><div>budget used<b>${pct(w.predictedLatencyMs / summary.budget.latencyMs, 0)}</b></div><div>MAdds<b>${millions(w.madds)}</b></div><div>params<b>${millions(w.params)}</b></div>` : ''}<div>verification<b style="color:${summary.verifyPassed ? '#1e8449' : '#c0392b'}">${summary.verifyPassed ? 'passed' : `failed (${failed.length || 'see below'})`}</b></div></div>
<h2>Accuracy vs predicted latency: every trial, the Pareto front and the budget</h2>
${paretoSvg(summary)}
<h2>Candidates worth shipping (Pareto front within the budget; click a column to sort)</h2>
${candidateTable(summary)}
<h2>The ${winnerName}: architecture</h2>
${architectureSvg(summary.winner.arch)}
<p><code>${esc(summary.winner.arch)}</code></p>
<h2>The ${winnerName}: predicted latency per layer</h2>
${layerBarsSvg(summary)}
<h2>The ${winnerName}: choice per searched layer</h2>
${table(['layer', 'choice'], winnerChoices)}
<h2>Final models (same training recipe)</h2>
${table(['role', 'DNA', 'pred. latency (ms)', 'MAdds', 'params', 'proxy val. accuracy', 'val. accuracy (full)', 'test accuracy', 'train time'], finals)}
<p>Trainer: ${esc(summary.trainer)}. Proxy recipe <code>${esc(JSON.stringify(summary.recipes.proxy))}</code>; full recipe <code>${esc(JSON.stringify(summary.recipes.full))}</code>.</p>
<h2>Checks of the exported winner</h2>
${checkList(summary)}
<h2>Predicted vs measured latency</h2>
${table(['format', 'target', 'predicted (ms)', 'measured median (ms)', 'error', 'note'], latency)}
<h2>Exported files (in <code>${esc(summary.modelDir)}</code>)</h2>
${table(['file', 'format', 'bytes', 'sha256', 'test predictions identical to the trained winner', 'test accuracy'], files)}
<h2>Notes</h2>
<ul>${summary.notes.map((n) => `<li>${esc(n)}</li>`).join('')}<li>cheapest architecture of the space: ${fmt(summary.cheapestLatencyMs, 4)} ms predicted</li></ul>
<h2>Time per stage</h2>
${table(['stage', 'time'], timings)}
<h2>All trials (click a column to sort)</h2>
<div class="scroll">${sortableTable('trials', ['search', '#', 'DNA', 'pred. latency (ms)', 'MAdds', 'proxy val. accuracy', 'in budget', ''], trials)}</div>
${SORT_SCRIPT}
</body></html>
`;
}
