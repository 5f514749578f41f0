/**
 * Prints the must-show figures of finished design runs from their summary.json files: winner vs hand-designed
 * baseline vs random search (same full recipe), latency predicted vs measured, exported-file agreement.
 *   npx tsx bench/design-compare.ts <out-dir|summary.json> [...]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DesignSummary } from '../src/design/summary.js';

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : `${(100 * x).toFixed(2)}%`);
for (const arg of process.argv.slice(2)) {
  const file = arg.endsWith('.json') ? arg : path.join(arg, 'summary.json');
  const s = JSON.parse(readFileSync(file, 'utf8')) as DesignSummary;
  console.log(`\n== ${s.target} / ${s.space} / ${s.dataset}: budget ${s.budget.latencyMs} ms (cheapest in space ${s.cheapestLatencyMs.toFixed(4)} ms), ${s.searchTrials} LayerNAS trials; trainer ${s.trainer}`);
  console.log('role            pred.latency(ms)  MAdds(M)  params(M)  proxy-val  full-val   test     dna');
  for (const f of s.finals) {
    console.log(`${f.role.padEnd(15)} ${f.predictedLatencyMs.toFixed(4).padStart(16)}  ${(f.madds / 1e6).toFixed(2).padStart(8)}  ${(f.params / 1e6).toFixed(3).padStart(9)}  ${pct(f.proxyValAccuracy).padStart(9)}  ${pct(f.valAccuracy).padStart(8)}  ${pct(f.testAccuracy).padStart(7)}  ${f.dna.join('-')}  ${f.description}`);
  }
  for (const l of s.latency) {
    console.log(`latency ${l.format} on ${l.target}: predicted ${l.predictedMs?.toFixed(4) ?? '-'} ms, measured median ${l.measuredMedianMs?.toFixed(4) ?? '-'} ms, error ${l.errorPct === null ? '-' : `${l.errorPct.toFixed(1)}%`}${l.note ? ` (${l.note})` : ''}`);
  }
  for (const f of s.files) console.log(`file ${f.file}: ${f.bytes} bytes, identical test predictions ${pct(f.testAgreement)}, test accuracy ${pct(f.testAccuracy)}`);
  console.log(`verification ${s.verifyPassed ? 'passed' : 'NOT passed'}; time this run: ${Object.entries(s.timings).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')}`);
}
