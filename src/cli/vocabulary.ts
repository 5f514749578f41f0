/**
 * One CLI vocabulary: each idea has one flag name in every command that takes it. Other spellings a command used
 * before are kept only as hidden aliases (old scripts keep working, help and docs show one name).
 * test/cli/vocabulary.test.ts fails when a command shows a retired spelling or two commands name one idea
 * differently; docs/cli.md is this table.
 */
export interface VocabularyEntry {
  /** the idea, as docs/cli.md says it */
  readonly idea: string;
  /** the one flag name */
  readonly flag: string;
  /** spellings no command may show (kept as hidden aliases where they existed) */
  readonly retired: readonly string[];
}

export const VOCABULARY: readonly VocabularyEntry[] = [
  { idea: 'trainings / trial evaluations run at the same time', flag: 'parallel', retired: ['workers', 'concurrency', 'jobs'] },
  { idea: 'threads one training or one runtime uses', flag: 'threads', retired: ['trainer-threads', 'num-threads'] },
  { idea: 'latency budget (ms)', flag: 'latency-ms', retired: ['budget-ms', 'max-latency', 'latency-max'] },
  { idea: 'MAdds budget', flag: 'madds-max', retired: ['max-madds'] },
  { idea: 'kill a training after this long (ms)', flag: 'trial-timeout-ms', retired: ['timeout-min', 'timeout-ms', 'timeout'] },
  { idea: 'output folder or file', flag: 'out', retired: ['output', 'out-dir', 'outdir'] },
  { idea: 'which trainer trains (tfjs | pytorch | command:<argv>)', flag: 'trainer', retired: [] },
  { idea: 'device of the PyTorch trainer (auto | cpu | cuda)', flag: 'trainer-device', retired: ['device'] },
  { idea: 'target id or target .json', flag: 'target', retired: [] },
  { idea: 'search space name or .json', flag: 'space', retired: [] },
  { idea: 'dataset (mnist | fashion-mnist | idx:<dir> | folder:<dir>)', flag: 'dataset', retired: [] },
  { idea: 'machine-readable output on stdout', flag: 'json', retired: [] },
  { idea: 'seed', flag: 'seed', retired: [] },
];

/** the trainer every command uses when none is given */
export const DEFAULT_TRAINER = 'pytorch';
