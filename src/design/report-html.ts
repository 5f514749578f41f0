/**
 * Renders a DesignSummary as one self-contained HTML page (inline CSS and SVG, no scripts, no network).
 */
import type { DesignSummary, DesignTrialRow } from './summary.js';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const fmt = (x: number | null | undefined, digits = 2): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);

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
  const ys = axis(rows.map((r) => r.reward), bottom, top);
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
  parts.push(`<text x="14" y="${(top + bottom) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${(top + bottom) / 2})">proxy validation accuracy</text>`);
  const bx = xs.px(summary.budget.latencyMs).toFixed(1);
  parts.push(`<line x1="${bx}" y1="${top}" x2="${bx}" y2="${bottom}" stroke="#c0392b" stroke-dasharray="6 4"/><text x="${bx}" y="${top + 12}" font-size="11" fill="#c0392b" dx="${Number(bx) > right - 120 ? -4 : 4}" text-anchor="${Number(bx) > right - 120 ? 'end' : 'start'}">budget ${fmt(summary.budget.latencyMs)} ms</text>`);
  const winnerKey = summary.winner.dna.join(',');
  for (const r of rows) {
    if (r.dna.join(',') === winnerKey) continue;
    const color = !r.feasible ? '#aaa' : r.algorithm === 'random' ? '#27ae60' : '#2c7fb8';
    const cx = xs.px(r.predictedLatencyMs).toFixed(1), cy = ys.px(r.reward).toFixed(1);
    parts.push(r.algorithm === 'random'
      ? `<rect x="${(Number(cx) - 3.5).toFixed(1)}" y="${(Number(cy) - 3.5).toFixed(1)}" width="7" height="7" fill="${color}" fill-opacity="0.7"><title>random #${r.number} ${esc(r.arch)}</title></rect>`
      : `<circle cx="${cx}" cy="${cy}" r="3.5" fill="${color}" fill-opacity="0.7"><title>LayerNAS #${r.number} ${esc(r.arch)}</title></circle>`);
  }
  const w = layernasOnly.find((r) => r.dna.join(',') === winnerKey) ?? rows.find((r) => r.dna.join(',') === winnerKey);
  if (w) {
    const cx = xs.px(w.predictedLatencyMs).toFixed(1), cy = ys.px(w.reward).toFixed(1);
    parts.push(`<circle cx="${cx}" cy="${cy}" r="8" fill="none" stroke="#e67e22" stroke-width="3"/><circle cx="${cx}" cy="${cy}" r="4" fill="#e67e22"><title>winner #${w.number}</title></circle>`);
  }
  parts.push(`<g font-size="11"><rect x="${right - 184}" y="${bottom - 60}" width="8" height="8" fill="#27ae60"/><text x="${right - 170}" y="${bottom - 52}">random search, within budget</text>`);
  parts.push(`<circle cx="${right - 180}" cy="${bottom - 40}" r="4" fill="#2c7fb8"/><text x="${right - 170}" y="${bottom - 36}">LayerNAS, within budget</text>`);
  parts.push(`<circle cx="${right - 180}" cy="${bottom - 24}" r="4" fill="#aaa"/><text x="${right - 170}" y="${bottom - 20}">over budget</text>`);
  parts.push(`<circle cx="${right - 180}" cy="${bottom - 8}" r="5" fill="#e67e22"/><text x="${right - 170}" y="${bottom - 4}">chosen model</text></g>`);
  parts.push('</svg>');
  return parts.join('\n');
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = headers.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

export function renderDesignReport(summary: DesignSummary): string {
  const winnerChoices = summary.winner.dna.map((opt, i) => [
    esc(summary.layerNames[i] ?? `layer ${i}`),
    esc(summary.optionNames[i]?.[opt] ?? String(opt)),
  ]);
  const pct = (x: number | null): string => (x === null ? '–' : fmt(x * 100, 2) + '%');
  const finals = summary.finals.map((f) => [
    `<b>${esc(f.role)}</b><br>${esc(f.description)}`, `<code>${esc(f.dna.join('-'))}</code>`, fmt(f.predictedLatencyMs, 3), millions(f.madds), millions(f.params),
    pct(f.proxyValAccuracy), pct(f.valAccuracy), `<b>${pct(f.testAccuracy)}</b>`, fmt(f.trainSeconds, 0) + ' s',
  ]);
  const latency = summary.latency.map((l) => [
    esc(l.format), esc(l.target), fmt(l.predictedMs, 3), fmt(l.measuredMedianMs, 3), l.errorPct === null ? '–' : (l.errorPct > 0 ? '+' : '') + fmt(l.errorPct, 1) + '%', esc(l.note ?? ''),
  ]);
  const files = summary.files.map((f) => [
    `<code>${esc(f.file)}</code>`, esc(f.format), String(f.bytes), `<code>${esc(f.sha256.slice(0, 16))}…</code>`,
    f.testAgreement === undefined ? '–' : fmt(f.testAgreement * 100, 2) + '%', f.testAccuracy === undefined ? '–' : fmt(f.testAccuracy * 100, 2) + '%',
  ]);
  const trials = summary.trials.map((t) => [
    esc(t.algorithm), String(t.number), `<code>${esc(t.arch)}</code>`, fmt(t.predictedLatencyMs, 3), millions(t.madds),
    t.reward === null ? 'failed' : fmt(t.reward * 100, 2) + '%', t.feasible ? 'yes' : 'no', t.reused ? 'reused' : '',
  ]);
  const timings = Object.entries(summary.timings).map(([k, v]) => [esc(k), fmt(v, 1) + ' s']);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>layernas design report — ${esc(summary.target)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f4f4f4}code{font-size:12px;word-break:break-all}.kpi{display:flex;gap:24px;flex-wrap:wrap}
.kpi div{background:#f7f9fb;border:1px solid #e3e8ee;border-radius:6px;padding:8px 14px}.kpi b{display:block;font-size:20px}
.scroll{max-height:420px;overflow:auto;border:1px solid #eee}
</style></head><body>
<h1>layernas design report</h1>
<p>Target <b>${esc(summary.target)}</b>, dataset <b>${esc(summary.dataset)}</b>, latency budget <b>${fmt(summary.budget.latencyMs)} ms</b>${summary.budget.maddsMax ? `, MAdds ≤ <b>${millions(summary.budget.maddsMax)}</b>` : ''}; space <b>${esc(summary.space)}</b>, ${summary.searchTrials} trials; created ${esc(summary.createdAt)}.</p>
<div class="kpi">${summary.finals.filter((f) => f.role === 'winner').map((f) => `<div>test accuracy<b>${fmt(f.testAccuracy * 100, 2)}%</b></div><div>predicted latency<b>${fmt(f.predictedLatencyMs)} ms</b></div><div>MAdds<b>${millions(f.madds)}</b></div><div>params<b>${millions(f.params)}</b></div>`).join('')}</div>
<h2>Every trial: accuracy vs predicted latency</h2>
${paretoSvg(summary)}
<h2>The chosen model, layer by layer</h2>
<p><code>${esc(summary.winner.arch)}</code></p>
${table(['layer', 'choice'], winnerChoices)}
<h2>Final models (same training recipe)</h2>
${table(['role', 'DNA', 'pred. latency (ms)', 'MAdds', 'params', 'proxy val. acc.', 'val. acc. (full)', 'test acc.', 'train time'], finals)}
<p>Trainer: ${esc(summary.trainer)}. Proxy recipe <code>${esc(JSON.stringify(summary.recipes.proxy))}</code>; full recipe <code>${esc(JSON.stringify(summary.recipes.full))}</code>.</p>
<h2>Predicted vs measured latency</h2>
${table(['format', 'target', 'predicted (ms)', 'measured median (ms)', 'error', 'note'], latency)}
<h2>Exported files (in <code>${esc(summary.modelDir)}</code>) — verification ${summary.verifyPassed ? '<b style="color:#1e8449">passed</b>' : '<b style="color:#c0392b">not passed</b>'}</h2>
${(summary.verifyFailures ?? []).map((f) => `<p style="color:#c0392b">${esc(f)}</p>`).join('\n')}
${table(['file', 'format', 'bytes', 'sha256', 'test predictions identical to trained model', 'test accuracy'], files)}
<h2>Notes</h2>
<ul>${summary.notes.map((n) => `<li>${esc(n)}</li>`).join('')}<li>cheapest architecture of the space: ${fmt(summary.cheapestLatencyMs, 4)} ms predicted</li></ul>
<h2>Time per stage</h2>
${table(['stage', 'time'], timings)}
<h2>All trials</h2>
<div class="scroll">${table(['search', '#', 'architecture', 'pred. latency (ms)', 'MAdds', 'proxy val. acc.', 'in budget', ''], trials)}</div>
</body></html>
`;
}
