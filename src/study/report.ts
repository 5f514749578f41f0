/** Benchmark report: a text table, and an SVG plot of accuracy vs trials (mean line, 25-75% band), written by hand. */
import type { BenchmarkCurve, BenchmarkResult } from './benchmark.js';

export function benchmarkTable(result: BenchmarkResult, title: string): string {
  const head = ['algorithm', 'budget', 'test acc (mean ± std)', 'regret', 'exact%', 'trials used (mean [min-max])', 'over budget', 'no answer'];
  const rows = result.rows.map((r) => [
    r.algorithm,
    String(r.budget),
    `${r.meanAcc.toFixed(2)} ± ${r.stdAcc.toFixed(2)}`,
    (Math.abs(r.meanRegret) < 0.005 ? 0 : r.meanRegret).toFixed(2),
    String(Math.round(r.exactShare * 100)),
    `${r.meanTrials.toFixed(1)} [${r.minTrials}-${r.maxTrials}]`,
    r.meanOverBudget.toFixed(1),
    String(r.noAnswer),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  return [
    title,
    `constrained oracle optimum: ${result.oracle.toFixed(2)} (${result.oracleArchCount} feasible architectures)`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}

const COLORS: Record<string, string> = { layernas: '#d62728', random: '#7f7f7f', re: '#1f77b4', reinforce: '#2ca02c' };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Accuracy vs trials for the curves of one budget, oracle as a dashed line. */
export function benchmarkSvg(curves: readonly BenchmarkCurve[], oracle: number, title: string): string {
  const W = 720;
  const H = 440;
  const m = { l: 64, r: 150, t: 40, b: 50 };
  const budget = Math.max(...curves.map((c) => c.mean.length));
  const from = Math.max(1, Math.floor(budget * 0.1));
  const vals = curves.flatMap((c) => c.p25.slice(from - 1).concat(c.mean.slice(from - 1))).filter((v) => Number.isFinite(v));
  let ymin = Math.min(...vals);
  let ymax = Math.max(oracle, ...curves.flatMap((c) => c.p75).filter((v) => Number.isFinite(v)));
  const pad = (ymax - ymin) * 0.05 || 0.5;
  ymin -= pad;
  ymax += pad;
  const x = (t: number): number => m.l + ((t - 1) / Math.max(1, budget - 1)) * (W - m.l - m.r);
  const y = (v: number): number => m.t + (1 - (Math.min(ymax, Math.max(ymin, v)) - ymin) / (ymax - ymin)) * (H - m.t - m.b);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${m.l}" y="22" font-size="13">${esc(title)}</text>`);
  // axes and ticks
  out.push(`<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="black"/>`);
  out.push(`<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="black"/>`);
  for (let i = 0; i <= 5; i++) {
    const t = Math.round(1 + ((budget - 1) * i) / 5);
    out.push(`<line x1="${x(t)}" y1="${H - m.b}" x2="${x(t)}" y2="${H - m.b + 5}" stroke="black"/><text x="${x(t)}" y="${H - m.b + 18}" text-anchor="middle">${t}</text>`);
    const v = ymin + ((ymax - ymin) * i) / 5;
    out.push(`<line x1="${m.l - 5}" y1="${y(v)}" x2="${m.l}" y2="${y(v)}" stroke="black"/><text x="${m.l - 8}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(2)}</text>`);
    out.push(`<line x1="${m.l}" y1="${y(v)}" x2="${W - m.r}" y2="${y(v)}" stroke="#eee"/>`);
  }
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">trials</text>`);
  out.push(`<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">test accuracy of the chosen model (%)</text>`);
  out.push(`<line x1="${m.l}" y1="${y(oracle)}" x2="${W - m.r}" y2="${y(oracle)}" stroke="black" stroke-dasharray="5,4"/>`);
  curves.forEach((c, k) => {
    const color = COLORS[c.algorithm] ?? '#9467bd';
    const pts = (arr: number[]): [number, number][] => arr.map((v, i) => [i + 1, v] as [number, number]).filter(([t, v]) => t >= from && Number.isFinite(v));
    const upper = pts(c.p75);
    const lower = pts(c.p25).reverse();
    if (upper.length > 1) {
      out.push(`<polygon fill="${color}" fill-opacity="0.15" stroke="none" points="${[...upper, ...lower].map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`);
    }
    const mean = pts(c.mean);
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${mean.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`);
    const ly = m.t + 10 + k * 20;
    out.push(`<line x1="${W - m.r + 12}" y1="${ly}" x2="${W - m.r + 36}" y2="${ly}" stroke="${color}" stroke-width="3"/><text x="${W - m.r + 42}" y="${ly + 4}">${esc(c.algorithm)}</text>`);
  });
  const ly = m.t + 10 + curves.length * 20;
  out.push(`<line x1="${W - m.r + 12}" y1="${ly}" x2="${W - m.r + 36}" y2="${ly}" stroke="black" stroke-dasharray="5,4"/><text x="${W - m.r + 42}" y="${ly + 4}">oracle</text>`);
  out.push(`<text x="${W - m.r + 12}" y="${ly + 24}" font-size="10">line: mean</text><text x="${W - m.r + 12}" y="${ly + 38}" font-size="10">band: 25-75%</text>`);
  out.push('</svg>');
  return out.join('\n');
}
