/**
 * What a `design` run produces, as data: written to <out>/summary.json and rendered by report-html.ts.
 */
export interface DesignTrialRow {
  readonly number: number;
  readonly algorithm: string;
  readonly arch: string;
  readonly dna: readonly number[];
  readonly predictedLatencyMs: number;
  readonly madds: number;
  readonly params: number;
  readonly reward: number | null;     // proxy validation accuracy (null = failed / not evaluated)
  readonly feasible: boolean;
  readonly reused: boolean;           // identical child: reward reused at no trial cost
}

export type FinalRole = 'winner' | 'finalist' | 'baseline' | 'random-search';

export interface DesignFinalModel {
  readonly role: FinalRole;
  readonly description: string;
  readonly dna: readonly number[];
  readonly arch: string;
  readonly predictedLatencyMs: number;
  readonly madds: number;
  readonly params: number;
  readonly proxyValAccuracy: number | null;
  readonly valAccuracy: number;
  readonly testAccuracy: number;
  readonly trainSeconds: number;
}

export interface DesignLatencyCheck {
  readonly format: string;            // '<format>-<precision>' of the manifest: 'tflite-float32' | 'tflite-int8' | 'onnx-float32'
  readonly target: string;
  readonly predictedMs: number | null;
  readonly measuredMedianMs: number | null;
  readonly errorPct: number | null;   // (measured - predicted) / predicted
  readonly note?: string;
}

export interface DesignExportedFile {
  readonly file: string;
  readonly format: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly testAgreement?: number;    // share of test predictions identical to the trained model
  readonly testAccuracy?: number;
}

export interface DesignSummary {
  readonly version: 1;
  readonly createdAt: string;
  readonly target: string;
  readonly dataset: string;
  readonly budget: { readonly latencyMs: number; readonly maddsMax?: number };
  readonly cheapestLatencyMs: number;
  readonly space: string;
  readonly searchTrials: number;
  readonly trainer: string;
  readonly recipes: { readonly proxy: unknown; readonly full: unknown };
  readonly layerNames: readonly string[];
  readonly optionNames: readonly (readonly string[])[];
  readonly winner: { readonly dna: readonly number[]; readonly arch: string };
  readonly trials: readonly DesignTrialRow[];
  readonly finals: readonly DesignFinalModel[];
  readonly latency: readonly DesignLatencyCheck[];
  readonly files: readonly DesignExportedFile[];
  readonly verifyPassed: boolean;
  /** each failed verification check with its threshold (empty when verification passed) */
  readonly verifyFailures?: readonly string[];
  /** each advisory check that did not hold: an exported file the target does not ship below its minimum */
  readonly verifyWarnings?: readonly string[];
  readonly modelDir: string;
  readonly notes: readonly string[];
  readonly timings: Readonly<Record<string, number>>;   // seconds per stage, this run
  /** predicted latency of each layer of the winner, from the table the design priced with (absent in older summaries) */
  readonly winnerLatency?: {
    readonly layers: readonly { readonly block: string; readonly key: string; readonly ms: number }[];
    readonly fixedMs: number;
    readonly totalMs: number;
  };
  /**
   * what verification judged with, so `layernas verify <run>` judges the same way: the table priced with (relative to
   * the run), the dataset and number of test images of the agreement checks, the latency tolerance (absent in older
   * summaries)
   */
  readonly verification?: { readonly table: string; readonly dataset: string; readonly agreementImages: number; readonly tolerancePct: number };
  /** every verification check with its verdict and the reason (absent in older summaries) */
  readonly checks?: readonly DesignCheck[];
}

export interface DesignCheck {
  readonly name: string;
  readonly passed: boolean;
  /** judged on a file the target does not ship: reported, not part of the verdict */
  readonly advisory?: boolean;
  /** what was measured against what threshold; for a failure, why it failed */
  readonly detail: string;
}
