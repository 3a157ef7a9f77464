import type { PolytuneErrorShape, RunMetric, TrainConfig } from "../../shared/contract.js";

/** Messages between the engine and the training process (one process per run). */
export type TrainWorkerRequest =
  /** Read and encode the data and open the model, before the engine records a run; answered by "ready" or "error". */
  | { type: "prepare"; config: TrainConfig; modelPath: string }
  /** `liveness`: the socket the process holds while the run is going (runLiveness.ts). */
  | { type: "start"; runId: string; config: TrainConfig; modelPath: string; runDir: string; adapterPath: string; resume: boolean; liveness: string }
  | { type: "stop"; mode: "cancel" | "pause" };

export type TrainWorkerEvent =
  | { type: "ready"; examples: number; validationExamples: number; totalSteps: number }
  | { type: "prepared"; totalSteps: number; examples: number; validationExamples: number; trainableParameters: number; baseBytes: number; backend: string; device: string; backendNote: string | null; resumedFromStep: number }
  | { type: "step"; metric: RunMetric }
  | { type: "checkpoint"; step: number; path: string }
  | { type: "done"; adapterPath: string; summary: Record<string, string | number | boolean | null> }
  | { type: "stopped"; mode: "cancel" | "pause"; step: number }
  | { type: "error"; error: PolytuneErrorShape };
