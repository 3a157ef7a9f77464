import { Command } from "commander";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evalStartRequest } from "../../../electron/cli/evalStartRequest.js";
import { registerEvalCommand } from "../../../electron/cli/registerEvalCommand.js";
import { EvalStartSchema } from "../../../electron/shared/evalContract.js";
import { PolytuneError } from "../../../electron/shared/PolytuneError.js";

const here = (f: string): string => join(process.cwd(), f);

/** Runs `polytune eval ARGS` as registered, up to the engine: resolves with the error thrown before it opens. */
async function parseError(...args: string[]): Promise<PolytuneError> {
  const program = new Command("polytune").exitOverride();
  let opened = false;
  registerEvalCommand(program, {
    withEngine: () => {
      opened = true;
      return Promise.reject(new Error("the engine is not opened by these tests"));
    },
    json: () => false,
  });
  const error = await program.parseAsync(["node", "polytune", "eval", ...args]).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(opened, "bad flags never reach the engine").toBe(false);
  expect(error).toBeInstanceOf(PolytuneError);
  return error as PolytuneError;
}

describe("evalStartRequest", () => {
  it("sends only what was typed, so the contract's defaults apply", () => {
    const request = evalStartRequest({ model: "my-model" }, [{ suite: "open", data: ["a.jsonl"] }]);
    expect(request).toEqual({ model: "my-model", suites: [{ suite: "open", data: [here("a.jsonl")] }] });
    const parsed = EvalStartSchema.parse(request);
    expect(parsed.decoding).toEqual({ mode: "greedy", repeatPenalty: 1.1, temperature: 0.8, topP: 0.9, seeds: 3, maxTokens: 256, stop: [], parallel: 8 });
    expect(parsed).toMatchObject({ baseline: false, adapters: [], gpu: "auto", suites: [{ crossLingual: false }] });
  });

  it("maps every flag to its field: suites in the order typed, paths made absolute, judge sharing --cpu and --threads", () => {
    const request = evalStartRequest(
      {
        model: "package.json",
        adapter: ["a.gguf", "b.gguf"],
        baseline: true,
        crossLingual: true,
        languages: "en, fr,",
        limit: 2,
        judge: "judge-id",
        judgements: "relevance,helpfulness",
        sampling: true,
        temperature: 0.7,
        topP: 0.95,
        seeds: 2,
        repeatPenalty: 1,
        maxTokens: 8,
        parallel: 4,
        stop: ["\n\n"],
        format: "alpaca",
        cpu: true,
        threads: 1,
        name: "quick",
      },
      [
        { suite: "open", data: ["x.en.jsonl", "x.fr.jsonl"] },
        { suite: "qa", data: ["xquad.json"] },
      ],
    );
    expect(request).toEqual({
      model: here("package.json"),
      adapters: [here("a.gguf"), here("b.gguf")],
      baseline: true,
      suites: [
        { suite: "open", data: [here("x.en.jsonl"), here("x.fr.jsonl")], crossLingual: true },
        { suite: "qa", data: [here("xquad.json")], crossLingual: true },
      ],
      languages: ["en", "fr"],
      limit: 2,
      decoding: { mode: "sampling", temperature: 0.7, topP: 0.95, seeds: 2, repeatPenalty: 1, maxTokens: 8, parallel: 4, stop: ["\n\n"] },
      format: "alpaca",
      judge: { model: "judge-id", judgements: ["relevance", "helpfulness"], gpu: "cpu", threads: 1 },
      gpu: "cpu",
      threads: 1,
      name: "quick",
    });
    expect(EvalStartSchema.safeParse(request).success).toBe(true);
  });

  it("a stored run instead of a model", () => {
    expect(evalStartRequest({ run: "r1", baseline: true }, [{ suite: "nli", data: ["dev.tsv"] }])).toEqual({ run: "r1", baseline: true, suites: [{ suite: "nli", data: [here("dev.tsv")] }] });
  });

  it("refuses what the engine would refuse, naming the flag", () => {
    const refused = (f: () => unknown): PolytuneError => {
      try {
        f();
      } catch (e) {
        return e as PolytuneError;
      }
      throw new Error("not refused");
    };
    const open = [{ suite: "open", data: ["a.jsonl"] }];
    expect(refused(() => evalStartRequest({}, open))).toMatchObject({ code: "cli-option", where: "--model" });
    expect(refused(() => evalStartRequest({ run: "r", model: "m" }, open))).toMatchObject({ where: "--run" });
    expect(refused(() => evalStartRequest({ model: "m" }, []))).toMatchObject({ where: "--suite" });
    expect(refused(() => evalStartRequest({ model: "m" }, [{ suite: "poetry", data: ["a"] }]))).toMatchObject({ where: "--suite", message: 'Unknown suite "poetry".', hint: "Suites: open, modifiers, qa, simplification, nli, mcq." });
    expect(refused(() => evalStartRequest({ model: "m" }, [{ suite: "qa", data: [] }]))).toMatchObject({ where: "--data" });
    expect(refused(() => evalStartRequest({ model: "m", topP: 0.5 }, open))).toMatchObject({ where: "--top-p", message: "--top-p only applies with --sampling." });
    expect(refused(() => evalStartRequest({ model: "m", judgements: "criteria" }, open))).toMatchObject({ where: "--judgements" });
    expect(refused(() => evalStartRequest({ model: "m", judge: "j", judgements: "criteria,taste" }, open))).toMatchObject({ message: 'Unknown judgement "taste".' });
    expect(refused(() => evalStartRequest({ model: "m", languages: " , " }, open))).toMatchObject({ where: "--languages" });
  });
});

describe("polytune eval flags, before the engine opens", () => {
  it("--data belongs to the --suite before it", async () => {
    expect(await parseError("--model", "m", "--data", "a.jsonl", "--suite", "open")).toMatchObject({ where: "--data" });
    expect(await parseError("--model", "m", "--suite", "open", "--data", "a.jsonl", "--suite", "qa")).toMatchObject({ where: "--data", message: "--suite qa needs its files: --suite qa --data FILE…." });
    expect(await parseError("--model", "m", "--suite", "open", "--data", "a.jsonl", "--suite", "poems", "--data", "b")).toMatchObject({ message: 'Unknown suite "poems".' });
  });

  it("job actions stand alone", async () => {
    expect(await parseError("--list", "--show", "j1")).toMatchObject({ where: "--show" });
    expect(await parseError("--resume", "j1", "--max-tokens", "8")).toMatchObject({ where: "--max-tokens", message: "--resume continues a job with the settings it was started with; leave out --max-tokens." });
    expect(await parseError("--show", "j1", "--suite", "open", "--data", "a")).toMatchObject({ where: "--suite" });
    expect(await parseError("--items")).toMatchObject({ where: "--items", message: "--items only applies with --show JOB." });
  });
});
