import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { computeBackends, type BackendInfo, type DoctorReport } from "../../shared/contract.js";
import { llamaCppTag } from "../llamacpp/llamaCppSource.js";
import { loadTrainerAddon } from "../train/TrainerAddon.js";
import { appVersion } from "./appVersion.js";

type GpuName = Exclude<BackendInfo["name"], "cpu">;

function platformReason(name: GpuName): string | null {
  if (name === "metal" && process.platform !== "darwin") return "Metal exists only on macOS.";
  if (name !== "metal" && process.platform === "darwin") return `${name === "cuda" ? "CUDA" : "Vulkan"} builds are not shipped for macOS; Metal is used there.`;
  return null;
}

async function probe(name: GpuName): Promise<BackendInfo> {
  const skip = platformReason(name);
  if (skip) return { name, available: false, reason: skip, devices: [] };
  try {
    const llama = await getLlama({ gpu: name, build: "never", usePrebuiltBinaries: true, progressLogs: false, logLevel: LlamaLogLevel.disabled, vramPadding: 0 });
    try {
      const devices = await llama.getGpuDeviceNames();
      return devices.length > 0
        ? { name, available: true, reason: "Prebuilt binary loaded and found a device.", devices }
        : { name, available: false, reason: `The prebuilt binary loaded, but it found no device.${name === "vulkan" ? " (A software device such as Mesa's llvmpipe is used only when named: GGML_VK_VISIBLE_DEVICES=0.)" : ""}`, devices };
    } finally {
      await llama.dispose();
    }
  } catch (error) {
    const text = error instanceof Error ? error.message || error.name : String(error);
    return { name, available: false, reason: explain(name, text), devices: [] };
  }
}

// node-llama-cpp's messages name the missing piece; add what a person can do about it.
function explain(name: GpuName, text: string): string {
  const first = text === "NoBinaryFoundError" || text === "" ? "No prebuilt binary for it loads on this machine" : (text.split("\n")[0] ?? text);
  if (name === "cuda") return `${first} (needs an NVIDIA GPU with a current driver; the CUDA runtime ships with Polytune).`;
  if (name === "vulkan") return `${first} (needs a Vulkan driver: your GPU vendor's, or Mesa on Linux).`;
  return first;
}

/** Which inference/training backends this machine can use, and why the others cannot be used. */
export async function runDoctor(home: string, database: string): Promise<DoctorReport> {
  const backends: BackendInfo[] = [];
  // One at a time: each probe loads a native backend into this process.
  for (const name of computeBackends.filter((b): b is GpuName => b !== "cpu")) backends.push(await probe(name));
  let cpuDevices: string[] = [];
  let cpuReason = "Always available.";
  try {
    const llama = await getLlama({ gpu: false, build: "never", usePrebuiltBinaries: true, progressLogs: false, logLevel: LlamaLogLevel.disabled });
    cpuDevices = [`${llama.cpuMathCores} math cores`];
    await llama.dispose();
  } catch (error) {
    cpuReason = `The CPU backend failed to load: ${error instanceof Error ? error.message : String(error)}`;
  }
  backends.unshift({ name: "cpu", available: cpuDevices.length > 0, reason: cpuReason, devices: cpuDevices });
  let release: string | null = null;
  try {
    release = llamaCppTag();
  } catch {
    release = null;
  }
  let trainer = { available: true, reason: "Built; it trains on the backends above (the same prebuilt ggml builds inference uses)." };
  try {
    loadTrainerAddon();
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    trainer = { available: false, reason: `${text} Install cmake and a C++ compiler, then run \`npm run build:native\`.` };
  }
  return {
    version: appVersion(),
    platform: `${process.platform}-${process.arch}`,
    node: process.versions.node,
    home,
    database,
    llamaCppRelease: release,
    backends,
    trainer,
  };
}
