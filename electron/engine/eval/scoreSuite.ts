// `eval.score`: one entry point that hands a request to its suite's scorer, so the CLI, the UI and
// (later) the evaluation job score outputs with the same code.
import type { ScoreComparison, ScoreRequest } from "../../shared/evalContract.js";
import { compareScores } from "./compareScores.js";
import type { SuiteScore } from "./SuiteScore.js";
import { scoreChoiceSuite } from "./suites/scoreChoiceSuite.js";
import { scoreOpenSuite } from "./suites/scoreOpenSuite.js";
import { scoreQaSuite } from "./suites/scoreQaSuite.js";
import { scoreSimplificationSuite } from "./suites/scoreSimplificationSuite.js";

export async function scoreSuite(request: ScoreRequest): Promise<SuiteScore> {
  const bootstrap = { resamples: request.resamples, seed: request.seed };
  switch (request.suite) {
    case "qa":
      return scoreQaSuite({ data: request.data, predictions: request.predictions, ...(request.language !== undefined ? { language: request.language } : {}), ...bootstrap });
    case "simplification":
      return scoreSimplificationSuite({ sources: request.sources, references: request.references, predictions: request.predictions, ...(request.language !== undefined ? { language: request.language } : {}), ...bootstrap });
    case "open":
      return scoreOpenSuite({ predictions: request.predictions, ...(request.dictionaries !== undefined ? { dictionaries: request.dictionaries } : {}), ...(request.judge !== undefined ? { judge: request.judge } : {}), ...bootstrap });
    case "nli":
    case "mcq":
      return scoreChoiceSuite({ suite: request.suite, data: request.data, predictions: request.predictions, ...(request.language !== undefined ? { language: request.language } : {}), ...bootstrap });
  }
}

/** Scores the system's and the baseline's predictions on the same gold, and compares them by item. */
export async function compareSuites(request: ScoreRequest, baseline: string): Promise<{ system: SuiteScore; baseline: SuiteScore; comparisons: ScoreComparison[] }> {
  const system = await scoreSuite(request);
  const base = await scoreSuite({ ...request, predictions: baseline });
  return { system, baseline: base, comparisons: compareScores(system, base, { resamples: request.resamples, seed: request.seed }) };
}
