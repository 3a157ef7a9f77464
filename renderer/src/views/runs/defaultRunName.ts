import { trainConfigDefaults, type TrainConfigInput } from "../../../../electron/shared/contract.js";

const fileStem = (path: string) => path.split(/[\\/]/).pop()?.replace(/\.(jsonl|json|gguf)$/i, "") ?? path;

/** A name that tells runs apart at a glance: model · data (or mix) · method · LR · rank. */
export function defaultRunName(config: TrainConfigInput, modelName: string, mixName?: string): string {
  const method = config.rslora ? "rsLoRA" : "LoRA";
  const lr = (config.lr ?? trainConfigDefaults.lr).toExponential().replace(/\.?0+e/, "e").replace("e-", "e-").replace("e+", "e");
  return [modelName, config.mix ? (mixName ?? config.mix) : fileStem(config.data ?? ""), method, `LR ${lr}`, `r ${config.rank ?? trainConfigDefaults.rank}`].join(" · ").slice(0, 200);
}
