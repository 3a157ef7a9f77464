import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";

export type GpuChoice = "auto" | "cpu";

export interface LlamaLogLine {
  level: LlamaLogLevel;
  message: string;
}

// One llama.cpp runtime per GPU choice for the whole process: loading the backends is slow and they
// are process-wide anyway. llama.cpp's log is kept so errors can show its reason (e.g. a bad adapter).
const runtimes = new Map<GpuChoice, Promise<Llama>>();
const recentLog: LlamaLogLine[] = [];

export function llamaLogTail(lines = 20): string[] {
  return recentLog.slice(-lines).map((l) => l.message.trim());
}

export function getLlamaRuntime(gpu: GpuChoice = "auto"): Promise<Llama> {
  let runtime = runtimes.get(gpu);
  if (!runtime) {
    runtime = getLlama({
      gpu: gpu === "cpu" ? false : "auto",
      // Never compile or download at run time: only the prebuilt binaries installed with the app.
      build: "never",
      usePrebuiltBinaries: true,
      progressLogs: false,
      logLevel: LlamaLogLevel.warn,
      logger(level, message) {
        recentLog.push({ level, message });
        if (recentLog.length > 200) recentLog.splice(0, recentLog.length - 200);
      },
    });
    runtimes.set(gpu, runtime);
    runtime.catch(() => runtimes.delete(gpu));
  }
  return runtime;
}

export async function disposeLlamaRuntimes(): Promise<void> {
  const all = [...runtimes.values()];
  runtimes.clear();
  await Promise.allSettled(all.map(async (r) => (await r).dispose()));
}
