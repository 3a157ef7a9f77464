import type {
  AddModelsResult,
  CallOutput,
  DoctorReport,
  EventPayload,
  Model,
  ModelDetail,
  PolytuneErrorShape,
  Run,
  RunMetric,
  TrainConfigInput,
  TryOptions,
  TryResult,
} from "../../../electron/shared/contract.js";
import type { ApiClient, ConnectionState } from "../api/createApiClient.js";
import type { RunFormValues } from "../views/runs/runFormFields.js";
import type { CompareSlice } from "./createCompareSlice.js";
import type { ExperimentSlice } from "./createExperimentSlice.js";
import type { DataSlice } from "./createDataSlice.js";
import type { EvalSlice } from "./createEvalSlice.js";
import type { MixesSlice } from "./createMixesSlice.js";
import type { TranslateSlice } from "./createTranslateSlice.js";

export type Route = "home" | "models" | "data" | "runs" | "evaluate" | "experiments" | "compare" | "settings";
export type ThemePreference = "system" | "light" | "dark";
export type SortKey = "name" | "architecture" | "parameterCount" | "fileType" | "contextLength" | "fileSize" | "status";
export type DiscoveryLocation = CallOutput<"models.discoveryLocations">[number];
export type Progress = EventPayload<"progress">;

export interface AppSlice {
  api: ApiClient;
  connection: ConnectionState;
  route: Route;
  theme: ThemePreference;
  info: CallOutput<"app.info"> | null;
  infoError: PolytuneErrorShape | null;
  doctor: DoctorReport | null;
  doctorError: PolytuneErrorShape | null;
  /** Live progress of long tasks, by task id, as the engine reports it. */
  progress: Record<string, Progress>;
  /** Moves when an action's result should be brought into view (see useReveal). */
  revealKey: number;
  /** Which part the last reveal is for: the selected item's details, the new-run form, or the translation form. */
  revealTarget: "details" | "form" | "translate";
  reveal(target?: "details" | "form" | "translate"): void;
  navigate(route: Route): void;
  setTheme(theme: ThemePreference): void;
  loadInfo(): Promise<void>;
  loadDoctor(): Promise<void>;
}

export interface AddReport {
  /** What the user asked to add (paths, or the discovery button). */
  sources: string[];
  result: AddModelsResult | null;
  /** Requests that failed as a whole (e.g. the path does not exist). */
  errors: PolytuneErrorShape[];
}

export interface ModelsSlice {
  models: Model[];
  modelsLoaded: boolean;
  modelsError: PolytuneErrorShape | null;
  selectedId: string | null;
  detail: ModelDetail | null;
  detailError: PolytuneErrorShape | null;
  filter: string;
  sort: { key: SortKey; dir: "asc" | "desc" };
  adding: boolean;
  addReport: AddReport | null;
  locations: DiscoveryLocation[] | null;
  locationsError: PolytuneErrorShape | null;
  hashingId: string | null;
  /** The last failed action on the selected model, shown next to the button that started it. */
  actionError: { action: "hash" | "remove"; error: PolytuneErrorShape } | null;
  loadModels(): Promise<void>;
  select(id: string | null): Promise<void>;
  setFilter(filter: string): void;
  toggleSort(key: SortKey): void;
  addPaths(paths: string[]): Promise<void>;
  discover(): Promise<void>;
  loadLocations(): Promise<void>;
  dismissAddReport(): void;
  hash(id: string): Promise<void>;
  remove(id: string): Promise<void>;
}

export interface TryRun {
  requestId: string;
  modelId: string;
  text: string;
  tokens: number;
  tokensPerSecond: number;
  status: "running" | "stopping" | "done" | "error";
  result: TryResult | null;
  error: PolytuneErrorShape | null;
}

/** Form values kept in the store so they survive switching models (the same prompt, tried on each). */
export interface TryDraft {
  prompt: string;
  maxTokens: string;
  repeatPenalty: string;
}
export type EstimateField = "contextSize" | "sequences" | "seqLen" | "batch" | "rank";

export interface TrySlice {
  tryRun: TryRun | null;
  tryDraft: TryDraft;
  estimateDraft: Record<EstimateField, string>;
  setTryDraft(patch: Partial<TryDraft>): void;
  setEstimateDraft(patch: Partial<Record<EstimateField, string>>): void;
  startTry(options: Omit<TryOptions, "requestId">): Promise<void>;
  stopTry(): Promise<void>;
}

export interface RunDetail extends Run {
  metrics: RunMetric[];
}

export interface RunsSlice {
  runs: Run[];
  runsLoaded: boolean;
  runsError: PolytuneErrorShape | null;
  selectedRunId: string | null;
  runDetail: RunDetail | null;
  /** Live rate and ETA of the selected run, from the engine's step events. */
  runLive: { tokensPerSecond: number; etaSeconds: number | null } | null;
  startError: PolytuneErrorShape | null;
  runActionError: PolytuneErrorShape | null;
  /** What the user typed in the new-run form; kept across areas and reloads. */
  runDraft: RunFormValues;
  runFormView: "basic" | "advanced";
  setRunDraft(patch: Partial<RunFormValues>): void;
  setRunFormView(view: "basic" | "advanced"): void;
  /** "Run again with changes": the form filled with a run's settings, brought into view. */
  duplicateRun(id: string): void;
  loadRuns(): Promise<void>;
  selectRun(id: string | null): Promise<void>;
  startRun(config: TrainConfigInput): Promise<boolean>;
  runAction(action: "pause" | "resume" | "cancel", id: string): Promise<void>;
  renameRun(id: string, name: string): Promise<boolean>;
  deleteRun(id: string): Promise<void>;
}

export type AppState = AppSlice & ModelsSlice & TrySlice & RunsSlice & DataSlice & MixesSlice & TranslateSlice & EvalSlice & ExperimentSlice & CompareSlice;
