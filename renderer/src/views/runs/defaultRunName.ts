import { trainConfigDefaults, type TrainConfigInput } from "../../../../electron/shared/contract.js";

const fileStem = (path: string) => path.split(/[\\/]/).pop()?.replace(/\.(jsonl|json|gguf|txt)$/i, "") ?? path;

/** A name that tells runs apart at a glance: model · data (mix, text) · method · LR · rank (LoRA). */
export function defaultRunName(config: TrainConfigInput, modelName: string, mixName?: string): string {
  const full = config.method === "full";
  const method = full ? "full" : config.rslora ? "rsLoRA" : "LoRA";
  const data = config.mix ? (mixName ?? config.mix) : config.text ? config.text.map(fileStem).join("+") : fileStem(config.data ?? "");
  const lr = (config.lr ?? trainConfigDefaults.lr).toExponential().replace(/\.?0+e/, "e").replace("e-", "e-").replace("e+", "e");
  return [modelName, data, method, `LR ${lr}`, ...(full ? [] : [`r ${config.rank ?? trainConfigDefaults.rank}`])].join(" · ").slice(0, 200);
}
