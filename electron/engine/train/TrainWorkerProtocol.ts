import type { PolytuneErrorShape, RunMetric, TrainConfig } from "../../shared/contract.js";

/** Messages between the engine and the training process (one process per run). */
export type TrainWorkerRequest =
  /** Read and encode the data and open the model, before the engine records a run; answered by "ready" or "error". */
  | { type: "prepare"; config: TrainConfig; modelPath: string }
  /**
   * `outPath`: where the run's result goes (a LoRA run's adapter, a full run's model); `liveness`: the
   * socket the process holds while the run is going (runLiveness.ts).
   */
  | { type: "start"; runId: string; config: TrainConfig; modelPath: string; runDir: string; outPath: string; resume: boolean; liveness: string }
  | { type: "stop"; mode: "cancel" | "pause" };

export type TrainWorkerEvent =
  | { type: "ready"; examples: number; validationExamples: number; totalSteps: number }
  | { type: "prepared"; totalSteps: number; examples: number; validationExamples: number; trainableParameters: number; baseBytes: number; backend: string; device: string; backendNote: string | null; resumedFromStep: number }
  | { type: "step"; metric: RunMetric }
  | { type: "checkpoint"; step: number; path: string }
  /** `modelPaths`: every model file the run wrote (a full run's model or a merged one, then its quantized copy). */
  | { type: "done"; adapterPath: string | null; modelPath: string | null; modelPaths: string[]; summary: Record<string, string | number | boolean | null> }
  | { type: "stopped"; mode: "cancel" | "pause"; step: number }
  | { type: "error"; error: PolytuneErrorShape };
