/** The runner script and README of a phone kit (src/profile/kit.ts). */
import { quoteForDeviceShell } from '../device/adb.js';
import type { AndroidAdbMeasure } from '../targets/schema.js';
import type { KitManifest } from './kit.js';

/** Seconds one benchmark_model call takes besides its timed runs (process start, model load; typical phones). */
const CALL_OVERHEAD_S = 1.5;

export function kitRunner(m: KitManifest, measure: AndroidAdbMeasure): string {
  const q = quoteForDeviceShell;
  const anchor = m.models.find((x) => x.kind === 'anchor')?.file ?? '';
  return `#!/usr/bin/env bash
# layernas phone kit runner, written by \`layernas profile --kit\` for target ${m.target.id} (${m.mode === 'fewshot' ? `${m.networks} few-shot networks` : `space ${m.space}`}).
# Times every model of models.txt on the phone with TFLite's benchmark_model, each right after the speed anchor,
# ROUNDS times, pinned to the cores of CPU_MASK, with COOLDOWN_S seconds of rest after every call. All output goes to
# results.txt (between "### layernas begin/end" lines). Rerun after an interruption: finished pairs are skipped.
# Then: layernas profile --ingest <this folder>
set -u
cd "$(dirname "$0")"
[ -n "\${ADB:-}" ] || ADB=${q(measure.adb)}
[ -n "\${SERIAL:-}" ] || SERIAL=${q(measure.serial)}
[ -n "\${BENCHMARK_MODEL:-}" ] || BENCHMARK_MODEL=${q(measure.benchmarkModel)}
[ -n "\${DEVICE_DIR:-}" ] || DEVICE_DIR=${q(measure.deviceDir)}
THREADS=${m.target.threads}
WARMUP_RUNS=${measure.warmupRuns}
RUNS=${measure.runs}
ROUNDS="\${ROUNDS:-${m.settings.rounds}}"
CPU_MASK="\${CPU_MASK:-${m.settings.cpuMask}}"
COOLDOWN_S="\${COOLDOWN_S:-${m.settings.cooldownS}}"
EXTRA_ARGS=(${measure.extraArgs.map(q).join(' ')})
ANCHOR=${q(anchor)}
RESULTS=results.txt

adb_() { "$ADB" -s "$SERIAL" "$@"; }
die() { echo "run.sh: $*" >&2; exit 1; }

[ -f "$BENCHMARK_MODEL" ] || die "benchmark_model not found at $BENCHMARK_MODEL: download android_aarch64_benchmark_model (README.md) and set BENCHMARK_MODEL"
adb_ shell mkdir -p "$DEVICE_DIR" >/dev/null || die "adb cannot reach phone $SERIAL (adb devices; set SERIAL)"
adb_ push "$BENCHMARK_MODEL" "$DEVICE_DIR/benchmark_model" >/dev/null || die "pushing benchmark_model failed"
adb_ shell chmod 755 "$DEVICE_DIR/benchmark_model" >/dev/null || die "chmod of benchmark_model failed"
for f in models/*.tflite; do adb_ push "$f" "$DEVICE_DIR/$(basename "$f")" >/dev/null || die "pushing $f failed"; done
touch "$RESULTS"

run_one() { # model round role pair
  local out rc
  out=$(adb_ shell taskset "$CPU_MASK" "$DEVICE_DIR/benchmark_model" "--graph=$DEVICE_DIR/$(basename "$1")" "--num_threads=$THREADS" "--warmup_runs=$WARMUP_RUNS" "--num_runs=$RUNS" \${EXTRA_ARGS[@]+"\${EXTRA_ARGS[@]}"} 2>&1)
  rc=$?
  { echo "### layernas begin model=$1 round=$2 role=$3 pair=$4"; echo "$out"; echo "### layernas end model=$1 round=$2 role=$3 pair=$4 exit=$rc"; } >> "$RESULTS"
  sleep "$COOLDOWN_S"
  return $rc
}

total=$(( $(grep -c . models.txt) * ROUNDS ))
k=0
for r in $(seq 1 "$ROUNDS"); do
  while IFS= read -r m; do
    [ -n "$m" ] || continue
    k=$((k + 1))
    grep -qF "### layernas end model=$m round=$r role=model pair=$m exit=0" "$RESULTS" && continue
    echo "[$k/$total] round $r $m" >&2
    run_one "$ANCHOR" "$r" anchor "$m" || echo "run.sh: benchmark_model failed on the anchor (see $RESULTS)" >&2
    run_one "$m" "$r" model "$m" || echo "run.sh: benchmark_model failed on $m (see $RESULTS); rerun to retry" >&2
  done < models.txt
done
echo "run.sh: done; now run: layernas profile --ingest $(pwd)" >&2
`;
}

export function kitReadme(m: KitManifest, measure: AndroidAdbMeasure): string {
  const models = m.models.filter((x) => x.kind !== 'anchor').length;
  const calls = 2 * models * m.settings.rounds;
  const minutes = (calls * (CALL_OVERHEAD_S + m.settings.cooldownS)) / 60;
  const count = (k: string): number => m.models.filter((x) => x.kind === k).length;
  return `# layernas phone kit: ${m.target.id}

Written by \`layernas profile --target ${m.target.id} --space ${m.space}${m.mode === 'fewshot' ? ` --from ${(m.from ?? []).join(',')} --networks ${m.networks}` : ''} --kit\`.
${m.mode === 'fewshot'
    ? `A few-shot kit: ${count('e2e')} whole networks chosen to be informative; \`--ingest\` fits the phone's table from the source tables and these measurements.`
    : `Every distinct block of the space as a one-block model (${count('block')}), the invoke-overhead model (${count('fixed')}) and ${count('e2e')} calibration networks.`}
Each is timed right after the speed anchor (\`${m.models.find((x) => x.kind === 'anchor')?.file}\`, a typical network of the space), so changes of the
phone's speed during the session (heat, other apps) are measured and taken out.

| file | what |
|---|---|
| \`models/*.tflite\` | the models (${m.target.precision}), \`kit.json\` says which is which |
| \`models.txt\` | the timing order |
| \`run.sh\` | pushes benchmark_model and the models, runs everything, appends to \`results.txt\`; resumable |
| \`kit.json\` | target, space, settings, models (read by \`layernas profile --ingest\`) |

## Before you run
1. \`benchmark_model\` for Android arm64: TensorFlow's nightly prebuilt \`android_aarch64_benchmark_model\` (see docs/phones.md
   in layernas for the address), on this computer; \`BENCHMARK_MODEL=/path/to/android_aarch64_benchmark_model\`.
2. \`adb devices\` lists the phone; \`SERIAL=<serial>\` (default ${measure.serial}).
3. Keep the phone cool and steady: airplane mode, no other apps, screen off (or fixed brightness with "stay awake"),
   battery above 50% and not charging fast, on a table, not in a case. Let it rest 5 minutes before starting.

## Run
\`\`\`
BENCHMARK_MODEL=... SERIAL=... ./run.sh
\`\`\`
Settings: ${m.target.threads} thread(s), ${measure.warmupRuns} warm-up runs, ${measure.runs} timed runs per call, ${m.settings.rounds} rounds, CPU mask ${m.settings.cpuMask}
(\`taskset\`; f0 = cores 4-7, the big cores of most 4+4 phones: check \`adb shell cat /sys/devices/system/cpu/cpu*/cpufreq/cpuinfo_max_freq\`),
${m.settings.cooldownS} s rest after every call. Override with ROUNDS, CPU_MASK, COOLDOWN_S.
About ${calls} benchmark_model calls: roughly ${Math.ceil(minutes)} minutes plus the timed runs themselves.

## Then
\`\`\`
layernas profile --ingest ${'<this folder>'} [--out table.json]
\`\`\`
builds the latency table (median of the rounds, scaled to the anchor's speed${m.mode === 'table' ? ', calibrated on the whole networks' : ''}).
Add it to the phone's target file (\`latencyTables\`) or pass it to \`layernas design --latency-table\`.
`;
}
