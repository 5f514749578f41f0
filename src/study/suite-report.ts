/** Suite report: per-problem and overall text tables, the worst problems for one algorithm, and an SVG of mean gap vs trials. */
import type { AlgorithmName } from '../search/types.js';
import type { SuiteResult, SuiteRow } from './suite.js';

function grid(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const f2 = (v: number): string => (Math.abs(v) < 0.005 ? 0 : v).toFixed(2);

/** Gap of `algorithm` minus the best other algorithm's gap, per problem and budget, worst first. */
export function worstProblems(result: SuiteResult, algorithm: AlgorithmName, budget: number, n = 5): { problem: string; gap: number; bestOther: number; bestOtherName: string; diff: number }[] {
  const problems = [...new Set(result.rows.map((r) => r.problem))];
  const out = problems.map((problem) => {
    const rs = result.rows.filter((r) => r.problem === problem && r.budget === budget);
    const own = rs.find((r) => r.algorithm === algorithm) as SuiteRow;
    const others = rs.filter((r) => r.algorithm !== algorithm).sort((a, b) => a.meanGap - b.meanGap);
    const best = others[0];
    return { problem, gap: own.meanGap, bestOther: best?.meanGap ?? NaN, bestOtherName: best?.algorithm ?? '-', diff: own.meanGap - (best?.meanGap ?? NaN) };
  });
  return out.sort((a, b) => b.diff - a.diff).slice(0, n);
}

export function suiteTable(result: SuiteResult, title: string, algorithms: readonly AlgorithmName[], budgets: readonly number[]): string {
  const parts: string[] = [title];
  const problems = [...new Set(result.rows.map((r) => r.problem))];
  for (const budget of budgets) {
    const rows = problems.map((problem) => {
      const rs = algorithms.map((a) => result.rows.find((r) => r.problem === problem && r.budget === budget && r.algorithm === a) as SuiteRow);
      return [
        problem,
        (rs[0]?.oracle ?? NaN).toFixed(2),
        ...rs.map((r) => f2(r.meanGap)),
        ...rs.map((r) => `${Math.round(r.exactShare * 100)}`),
        ...rs.map((r) => r.meanTrials.toFixed(0)),
        ...rs.map((r) => r.meanOverBudget.toFixed(1)),
      ];
    });
    const head = ['problem', 'optimum', ...algorithms.map((a) => `gap ${a}`), ...algorithms.map((a) => `exact% ${a}`), ...algorithms.map((a) => `trials ${a}`), ...algorithms.map((a) => `over ${a}`)];
    parts.push(`\nper problem, budget ${budget} trials (gap = optimum - mean test accuracy of the returned model; exact% = runs returning the optimum; over = trials over the budget per run)`);
    parts.push(grid(head, rows));
  }
  parts.push(`\noverall (${problems.length} problems${result.impossible.length ? `, ${result.impossible.length} impossible left out` : ''})`);
  parts.push(
    grid(
      ['algorithm', 'budget', 'mean gap', 'max gap', 'exact%', 'trials used', 'over-budget trials'],
      result.overall.map((o) => [o.algorithm, String(o.budget), o.meanGap.toFixed(3), f2(o.maxGap), (o.exactShare * 100).toFixed(1), o.meanTrials.toFixed(1), `${(o.overBudgetShare * 100).toFixed(2)}%`]),
    ),
  );
  const first = algorithms[0];
  if (first && algorithms.length > 1) {
    for (const budget of budgets) {
      parts.push(`\nworst five for ${first} at ${budget} trials (its gap minus the best other algorithm's gap)`);
      parts.push(grid(['problem', `gap ${first}`, 'best other', 'its gap', 'difference'], worstProblems(result, first, budget).map((w) => [w.problem, f2(w.gap), w.bestOtherName, f2(w.bestOther), f2(w.diff)])));
    }
  }
  for (const i of result.impossible) parts.push(`impossible: ${i.problem}: ${i.message}`);
  return parts.join('\n');
}

const COLORS: Record<string, string> = { layernas: '#d62728', random: '#7f7f7f', re: '#1f77b4', reinforce: '#2ca02c' };

/** Mean gap over the suite's problems of the best-so-far returned model vs trials, one line per algorithm. */
export function suiteSvg(result: SuiteResult, title: string): string {
  const W = 720;
  const H = 440;
  const m = { l: 64, r: 150, t: 40, b: 50 };
  const curves = result.gapCurves;
  const budget = Math.max(1, ...curves.map((c) => c.mean.length));
  const from = Math.max(1, Math.floor(budget * 0.1));
  const vals = curves.flatMap((c) => c.mean.slice(from - 1)).filter((v) => Number.isFinite(v));
  const ymax = Math.max(0.1, ...vals) * 1.05;
  const x = (t: number): number => m.l + ((t - 1) / Math.max(1, budget - 1)) * (W - m.l - m.r);
  const y = (v: number): number => m.t + (1 - Math.min(ymax, Math.max(0, v)) / ymax) * (H - m.t - m.b);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.l}" y="22" font-size="13">${title.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="black"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="black"/>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const t = Math.round(1 + ((budget - 1) * i) / 5);
    const v = (ymax * i) / 5;
    out.push(`<text x="${x(t)}" y="${H - m.b + 18}" text-anchor="middle">${t}</text>`);
    out.push(`<text x="${m.l - 8}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(2)}</text><line x1="${m.l}" y1="${y(v)}" x2="${W - m.r}" y2="${y(v)}" stroke="#eee"/>`);
  }
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">trials</text>`);
  out.push(`<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">mean gap to the constrained optimum (points)</text>`);
  curves.forEach((c, k) => {
    const color = COLORS[c.algorithm] ?? '#9467bd';
    const pts = c.mean.map((v, i) => [i + 1, v] as const).filter(([t, v]) => t >= from && Number.isFinite(v));
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`);
    const ly = m.t + 10 + k * 20;
    out.push(`<line x1="${W - m.r + 12}" y1="${ly}" x2="${W - m.r + 36}" y2="${ly}" stroke="${color}" stroke-width="3"/><text x="${W - m.r + 42}" y="${ly + 4}">${c.algorithm}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
