/**
 * What a `design` run produces, as data: written to <out>/summary.json and rendered by report-html.ts.
 */
export interface DesignTrialRow {
  readonly number: number;
  readonly arch: string;
  readonly dna: readonly number[];
  readonly predictedLatencyMs: number;
  readonly madds: number;
  readonly params: number;
  readonly reward: number | null;     // proxy validation accuracy (null = failed / not evaluated)
  readonly feasible: boolean;
  readonly reused: boolean;           // identical child: reward reused at no trial cost
}

export interface DesignFinalModel {
  readonly role: 'winner' | 'baseline' | 'random-search';
  readonly arch: string;
  readonly predictedLatencyMs: number;
  readonly madds: number;
  readonly params: number;
  readonly testAccuracy: number;
  readonly trainSeconds: number;
}

export interface DesignLatencyCheck {
  readonly format: string;            // 'tflite-float32' | 'tflite-int8' | 'onnx'
  readonly target: string;
  readonly predictedMs: number | null;
  readonly measuredMedianMs: number;
  readonly errorPct: number | null;
}

export interface DesignExportedFile {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly testAgreement?: number;    // share of test predictions identical to the trained model
}

export interface DesignSummary {
  readonly version: 1;
  readonly createdAt: string;
  readonly target: string;
  readonly dataset: string;
  readonly budget: { readonly latencyMs: number; readonly maddsMax?: number };
  readonly space: string;
  readonly searchTrials: number;
  readonly layerNames: readonly string[];
  readonly optionNames: readonly (readonly string[])[];
  readonly winner: { readonly dna: readonly number[]; readonly arch: string };
  readonly trials: readonly DesignTrialRow[];
  readonly finals: readonly DesignFinalModel[];
  readonly latency: readonly DesignLatencyCheck[];
  readonly files: readonly DesignExportedFile[];
  readonly timings: Readonly<Record<string, number>>;   // seconds per stage
}
