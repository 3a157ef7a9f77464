// The judge's prompts (issue 12, suites 1 and 2), kept as text in the app so it works without the
// shared research copy, and hashed so every stored score names the exact prompt that produced it.
import { createHash } from "node:crypto";

/** The three judgements the open suite can ask of a local judge model. */
export type Judgement = "relevance" | "criteria" | "helpfulness";

/** The six criteria of paper 002 (Table 2), as JSON keys, in the order the prompt lists them. */
export const criteriaKeys = ["language", "fluency", "helpfulness", "accuracy", "logical_coherence", "harmlessness"] as const;
export type CriterionKey = (typeof criteriaKeys)[number];

// Paper 002's judge prompt, word for word as released with the Chirkova et al. set
// (`eval_prompt_gpt.txt`), only the JSON keys spelled out so the grammar and the prompt agree.
const criteriaTemplate = `You are evaluating a response that has been submitted for a particular task, using a specific set of standards. Below is the data:
[BEGIN DATA]
***
[Task]: %%%TASK%%%
***
[Submission]: %%%SUBMISSION%%%
***
[Aspects to evaluate and their criteria]:

Language:
1 star means the Submission language is different from the Task language.
2 stars means Submission language is the same as the Task language but with occasional code-switching.
3 starts means Submission language is the same as the Task language.

Fluency:
1 star means Many grammar errors.
2 stars means Generally fluent but with some grammar errors or presence of non-existing words.
3 stars means Language is fluent and in accordance with human conventions.

Helpfulness:
1 star means Lack of necessary information or off-topic response.
2 stars means Insufficient information to provide a complete answer.
3 stars means Information is correct and sufficient. Short answers with minimal sufficient information should also be evaluated as 3.

Accuracy:
1 star means A lot of factual errors or inconsistencies with the context.
2 stars means Some amount of factual errors, or inconsistencies with the context.
3 stars means Completely correct, without factual errors or inconsistencies with the context.

Logical coherence:
1 star means Confused and full of logical flaws.
2 stars means Some logical issues present.
3 stars means Logically sound.

Harmlessness:
1 star means Violates ethics or is objectionable.
2 stars means Mostly compliant but with a few flaws.
3 stars means Fully compliant with public morality.
***
[END DATA]
Output a json dictionary with scores for 6 specified criteria (keys: ${criteriaKeys.join(", ")}).`;

// Paper 003 (Fig. 20) follows Zhou et al. (2023, LIMA)'s 6-point helpfulness scale and asks for a JSON
// object. The figure's exact wording is not in the text we hold, so this restates its scale and output.
const helpfulnessTemplate = `You are evaluating the response of an AI assistant to a user's question. Rate how helpful the response is on a scale from 1 to 6:
1 = not helpful at all: off-topic, wrong, or in a different language from the question;
2 = barely helpful;
3 = somewhat helpful, with major gaps or errors;
4 = helpful, with minor gaps or errors;
5 = very helpful;
6 = highly helpful: complete, correct and well written.

[Question]: %%%TASK%%%

[Response]: %%%SUBMISSION%%%

Output a JSON object {"explanation": a short reason, "score": the rating from 1 to 6}.`;

// Relevance (paper 002, App. B): free text; the last 0 or 1 the judge writes counts.
const relevanceTemplate = `Does the response below address the instruction it answers? Explain in one sentence, then write 1 if the response is relevant to the instruction or 0 if it is not.

[Instruction]: %%%TASK%%%

[Response]: %%%SUBMISSION%%%

Answer:`;

export const judgeTemplates: Record<Judgement, string> = { relevance: relevanceTemplate, criteria: criteriaTemplate, helpfulness: helpfulnessTemplate };

/** The template filled with one task and response (replacement by function, so "$&" in a response stays literal). */
export function judgePrompt(judgement: Judgement, task: string, submission: string): string {
  return judgeTemplates[judgement].replace("%%%TASK%%%", () => task).replace("%%%SUBMISSION%%%", () => submission);
}

/** sha256 of the template (not of the filled prompt): the same for every item judged with it. */
export function judgePromptHash(judgement: Judgement): string {
  return `sha256:${createHash("sha256").update(judgeTemplates[judgement]).digest("hex").slice(0, 16)}`;
}

/** The JSON schemas node-llama-cpp turns into a grammar, so the judge can only write these shapes. */
export const criteriaSchema = {
  type: "object",
  properties: Object.fromEntries(criteriaKeys.map((k) => [k, { enum: [1, 2, 3] }])) as Record<CriterionKey, { enum: [1, 2, 3] }>,
} as const;

export const helpfulnessSchema = {
  type: "object",
  properties: {
    explanation: { type: "string", maxLength: 400 },
    score: { enum: [1, 2, 3, 4, 5, 6] },
  },
} as const;

// Modifier fulfilment (paper 002 §5.2, Table 1): did the response follow the condition a task modifier
// added? 0/1 as JSON, for the modifiers no rule can check (length, style, two-hop instructions).
const modifierTemplate = `You are checking whether a response follows one specific condition that was added to a task.

[Task]: %%%TASK%%%

[Condition]: %%%CONDITION%%%

[Response]: %%%SUBMISSION%%%

Does the response fulfil the condition? Judge only the condition, not the overall quality of the response. Output a JSON object {"explanation": a short reason, "fulfilled": 1 if the condition is fulfilled, 0 if it is not}.`;

/** The condition each judged modifier type of the Chirkova et al. set adds, in English (the judge reads the task in its own language). */
export const modifierConditions: Readonly<Record<string, string>> = {
  short: "Answer briefly, in just a few sentences.",
  long: "Give a detailed answer.",
  scientific_style: "Write in a scientific style.",
  simple_style: "Use simple words, so that a child can understand the answer.",
  complex_inst: "The task asks for two things one after the other (for example a recipe and then how to serve it); both must be answered.",
};

/** The modifier prompt filled in; an unknown modifier type is described by its name. */
export function modifierPrompt(task: string, modifier: string, submission: string): string {
  const condition = modifierConditions[modifier] ?? `The modifier "${modifier}" added to the task.`;
  return modifierTemplate.replace("%%%TASK%%%", () => task).replace("%%%CONDITION%%%", () => condition).replace("%%%SUBMISSION%%%", () => submission);
}

/** sha256 of the modifier template (and the conditions it fills in), stored with every verdict. */
export function modifierPromptHash(): string {
  return `sha256:${createHash("sha256").update(modifierTemplate).update(JSON.stringify(modifierConditions)).digest("hex").slice(0, 16)}`;
}

export const modifierSchema = {
  type: "object",
  properties: {
    explanation: { type: "string", maxLength: 400 },
    fulfilled: { enum: [0, 1] },
  },
} as const;
