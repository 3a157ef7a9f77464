// `polytune eval`'s flags → the eval.start request. Only what the user typed is sent: every default
// (decoding, judge, format) is the contract schema's, applied by the engine, never restated here.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { evalSuites, judgements, type EvalStart, type EvalSuiteName } from "../shared/evalContract.js";
import { PolytuneError } from "../shared/PolytuneError.js";

/** One `--suite NAME --data FILE…` group, in the order typed. */
export interface SuiteGroup {
  suite: string;
  data: string[];
}

export interface EvalCliOptions {
  model?: string;
  adapter?: string[];
  run?: string;
  baseline?: boolean;
  crossLingual?: boolean;
  languages?: string;
  limit?: number;
  judge?: string;
  judgements?: string;
  dictionaries?: string;
  sampling?: boolean;
  temperature?: number;
  topP?: number;
  seeds?: number;
  repeatPenalty?: number;
  maxTokens?: number;
  parallel?: number;
  stop?: string[];
  format?: "auto" | "raw" | "alpaca" | "guanaco" | "chat";
  cpu?: boolean;
  threads?: number;
  name?: string;
}

const cliError = (message: string, where: string, hint?: string): PolytuneError => new PolytuneError("cli-option", message, hint === undefined ? { where } : { where, hint });

/** A comma-separated list ("en,fr") without empty entries. */
export const commaList = (text: string): string[] => text.split(",").map((s) => s.trim()).filter((s) => s !== "");

/** A file the user named: an absolute path when it exists here, else the text as typed (a library id or name). */
const fileOrId = (text: string): string => (existsSync(text) ? resolve(text) : text);

/** The eval.start request for the options and suite groups given, or an error naming the option at fault. */
export function evalStartRequest(o: EvalCliOptions, groups: readonly SuiteGroup[]): EvalStart {
  if (o.run !== undefined && (o.model !== undefined || (o.adapter?.length ?? 0) > 0)) {
    throw cliError("--run evaluates a stored run with its own model and adapter (or the model a full run wrote); leave out --model and --adapter.", "--run");
  }
  if (o.run === undefined && o.model === undefined) {
    throw cliError("Name the model with --model FILE|ID, or a stored training run with --run ID.", "--model");
  }
  if (groups.length === 0) throw cliError("Name at least one suite: --suite SUITE --data FILE….", "--suite", `Suites: ${evalSuites.join(", ")}.`);
  const suites = groups.map((g) => {
    if (!(evalSuites as readonly string[]).includes(g.suite)) throw cliError(`Unknown suite "${g.suite}".`, "--suite", `Suites: ${evalSuites.join(", ")}.`);
    if (g.data.length === 0) throw cliError(`--suite ${g.suite} needs its files: --suite ${g.suite} --data FILE….`, "--data");
    return { suite: g.suite as EvalSuiteName, data: g.data.map((f) => resolve(f)), ...(o.crossLingual ? { crossLingual: true } : {}) };
  });
  const samplingOnly = (["temperature", "topP", "seeds"] as const).find((k) => o[k] !== undefined);
  if (!o.sampling && samplingOnly !== undefined) {
    const flag = { temperature: "--temperature", topP: "--top-p", seeds: "--seeds" }[samplingOnly];
    throw cliError(`${flag} only applies with --sampling.`, flag, "Add --sampling to decode by nucleus sampling over seeds.");
  }
  if (o.judge === undefined && o.judgements !== undefined) throw cliError("--judgements only applies with --judge.", "--judgements", "Name the judge model with --judge FILE.");
  const chosen = o.judgements === undefined ? undefined : commaList(o.judgements);
  const unknown = chosen?.find((j) => !(judgements as readonly string[]).includes(j));
  if (unknown !== undefined) throw cliError(`Unknown judgement "${unknown}".`, "--judgements", `Judgements: ${judgements.join(", ")}.`);
  const languages = o.languages === undefined ? undefined : commaList(o.languages);
  if (languages !== undefined && languages.length === 0) throw cliError("--languages needs at least one language code (e.g. en,fr).", "--languages");

  const decoding = {
    ...(o.sampling ? { mode: "sampling" as const } : {}),
    ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
    ...(o.topP !== undefined ? { topP: o.topP } : {}),
    ...(o.seeds !== undefined ? { seeds: o.seeds } : {}),
    ...(o.repeatPenalty !== undefined ? { repeatPenalty: o.repeatPenalty } : {}),
    ...(o.maxTokens !== undefined ? { maxTokens: o.maxTokens } : {}),
    ...(o.parallel !== undefined ? { parallel: o.parallel } : {}),
    ...(o.stop !== undefined ? { stop: o.stop } : {}),
  };
  const gpu = o.cpu ? { gpu: "cpu" as const } : {};
  const threads = o.threads !== undefined ? { threads: o.threads } : {};
  return {
    ...(o.run !== undefined ? { run: o.run } : {}),
    ...(o.model !== undefined ? { model: fileOrId(o.model) } : {}),
    ...(o.adapter !== undefined ? { adapters: o.adapter.map((a) => resolve(a)) } : {}),
    ...(o.baseline ? { baseline: true } : {}),
    suites,
    ...(languages !== undefined ? { languages } : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    ...(Object.keys(decoding).length > 0 ? { decoding } : {}),
    ...(o.format !== undefined ? { format: o.format } : {}),
    ...(o.judge !== undefined ? { judge: { model: fileOrId(o.judge), ...(chosen !== undefined ? { judgements: chosen as Array<(typeof judgements)[number]> } : {}), ...gpu, ...threads } } : {}),
    ...(o.dictionaries !== undefined ? { dictionaries: resolve(o.dictionaries) } : {}),
    ...gpu,
    ...threads,
    ...(o.name !== undefined ? { name: o.name } : {}),
  };
}
