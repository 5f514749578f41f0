/**
 * Errors as data. Every failure a user can cause (bad spec, target, table, dataset, model file,
 * missing runtime) is a LayernasError with a stable `code`, a human message that says what and
 * where, and optional structured `details` (file, line, position, key...).
 *
 * The CLI maps any LayernasError to a clear message and exit code 2 (bad input) or 1 (runtime
 * failure); anything else is a bug and is printed with its stack.
 */
export type ErrorCode =
  // architecture language (src/arch)
  | 'SPEC_PARSE'            // malformed block / network string; details: {input, position, token}
  | 'SPEC_INVALID'          // well-formed but impossible spec (zero channels, kernel 4, ...)
  | 'ZOO_UNKNOWN'           // unknown model-zoo name
  // search spaces, study, journal (src/space, src/search, src/study)
  | 'SPACE_INVALID'
  | 'BUDGET_IMPOSSIBLE'     // no architecture of the space can meet the constraints
  | 'JOURNAL_CORRUPT'       // details: {file, line}
  | 'STUDY_MISMATCH'        // resuming a journal with different settings
  // targets and latency tables (src/cost, targets/, latency-tables/)
  | 'TARGET_INVALID'
  | 'TARGET_UNKNOWN'
  | 'TABLE_INVALID'
  | 'TABLE_MISSING_KEY'     // details: {key, table}
  | 'TABLE_MISMATCH'        // table does not belong to the target (runtime version, threads, precision)
  // data and training (src/data, src/train)
  | 'DATASET_MISSING'
  | 'DATASET_INVALID'
  | 'TRAINER_FAILED'
  | 'TRIAL_TIMEOUT'
  // export and runtimes (src/export, src/runtime)
  | 'EXPORT_UNSUPPORTED'    // op a format cannot express
  | 'WEIGHTS_INVALID'       // wrong shapes / missing tensors
  | 'OUTPUT_UNWRITABLE'
  | 'MODEL_INVALID'         // a model file that cannot be parsed / loaded
  | 'RUNTIME_UNAVAILABLE'   // runtime cannot load; message says the fix
  | 'DEVICE_FAILED'         // adb / benchmark_model failure
  | 'VERIFY_FAILED'
  // distributed (src/dispatch)
  | 'QUEUE_UNREACHABLE'
  | 'QUEUE_AUTH'
  | 'JOB_INVALID'
  // CLI
  | 'USAGE'
  // appended
  | 'ARCH_MISMATCH'         // an architecture (--arch, manifest) that does not fit the model file; details: {file, fileInput, archInput}
  // phone kits (layernas profile --kit / --ingest): unreadable manifest, missing or unparsable results; details: {file}
  | 'KIT_INVALID'
  // run folders and paths (src/core/run-lock.ts, src/core/paths.ts)
  | 'RUN_LOCKED'            // another live process holds the run folder; details: {dir, pid, host}
  | 'PATH_OUTSIDE';         // a path from a job / journal / file escapes its allowed root; details: {root, path}

export class LayernasError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LayernasError';
    this.code = code;
    this.details = details;
  }
  toJSON(): { code: ErrorCode; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isLayernasError(e: unknown, code?: ErrorCode): e is LayernasError {
  return e instanceof LayernasError && (code === undefined || e.code === code);
}

/** Exit code for an error: 2 for bad input (user can fix the input), 1 otherwise. */
export function exitCodeFor(e: unknown): number {
  if (!(e instanceof LayernasError)) return 1;
  const runtimeFailures: ErrorCode[] = ['TRAINER_FAILED', 'TRIAL_TIMEOUT', 'RUNTIME_UNAVAILABLE', 'DEVICE_FAILED', 'VERIFY_FAILED', 'QUEUE_UNREACHABLE'];
  return runtimeFailures.includes(e.code) ? 1 : 2;
}
