// Paper 003's start match (Kew et al. 2024, §4.3, footnote 11): forced prefix stripped, a repeated
// question stripped, cut at the first line break or 50 characters, correct when a normalised gold
// answer is the start of what is left. Expected values follow from that definition by hand.
import { describe, expect, it } from "vitest";
import { answerPrefixes, cutAnswer, extractStartAnswer, startMatch, startsWithGold, stripAnswerPrefix } from "../../../electron/engine/eval/metrics/startMatch.js";

describe("extracting the answer", () => {
  it("strips the forced English prefix and the quote the prompt opened", () => {
    const r = extractStartAnswer('Based on the passage, the answer to the question is "Denver Broncos". They won.', { language: "en" });
    expect(r).toEqual({ answer: 'Denver Broncos". They won.', strippedPrefix: true, strippedQuestion: false });
  });

  it("strips the paper's German prefix, and the English one under cross-lingual prompting", () => {
    expect(stripAnswerPrefix("Anhand des Textes lautet die Antwort auf die Frage „308“.", "de")).toEqual({ text: "308“.", stripped: true });
    expect(stripAnswerPrefix("based on  the passage, the answer to the question is zwei", "de")).toEqual({ text: "zwei", stripped: true });
    // Nothing to strip: the model went on after the forced prefix, as usual.
    expect(stripAnswerPrefix('two".', "de")).toEqual({ text: 'two".', stripped: false });
  });

  it("strips a repeated question (German and Russian prompts did this in the paper)", () => {
    const question = "Wie viele Punkte gab die Verteidigung der Panthers ab?";
    const r = extractStartAnswer("Wie viele Punkte gab die Verteidigung der Panthers ab? 308 Punkte.", { language: "de", question });
    expect(r.strippedQuestion).toBe(true);
    expect(r.answer).toBe("308 Punkte.");
  });

  it("cuts at the first line break, then at 50 characters (code points)", () => {
    expect(cutAnswer('two".\n\tIn the passage, it is stated that')).toBe('two".');
    expect(cutAnswer("Kawann\r\nShort")).toBe("Kawann");
    const long = "0123456789".repeat(6); // 60 characters
    expect(cutAnswer(long)).toBe(long.slice(0, 50));
    // Astral characters count once each, as Python counts them.
    expect(Array.from(cutAnswer("😀".repeat(60)))).toHaveLength(50);
  });
});

describe("start match", () => {
  it("is correct when the gold answer starts the response (Table 5 of the paper: 'two' is not 'zwei')", () => {
    const response = 'two".\n\tIn the passage, it is stated that Josh Norman "erzielte vier Interceptions"';
    expect(startMatch(response, ["zwei"], { language: "de" }).correct).toBe(0);
    expect(startMatch(response, ["two"], { language: "de" }).correct).toBe(1);
  });

  it("ignores articles, case and Unicode quotes through the language's normalisation", () => {
    expect(startMatch("the Panthers, who", ["Panthers"], { language: "en" }).correct).toBe(1);
    expect(startMatch("„zwei“ Interceptions", ["zwei"], { language: "de" }).correct).toBe(1);
    expect(startMatch("« deux » interceptions", ["deux"], { language: "fr" }).correct).toBe(1);
  });

  it("needs the gold to end at a word boundary, except in scripts without spaces", () => {
    expect(startMatch("1990 war das Jahr", ["19"], { language: "de" }).correct).toBe(0);
    expect(startMatch("1990 war das Jahr", ["1990"], { language: "de" }).correct).toBe(1);
    expect(startsWithGold("กรุงเทพมหานคร", "กรุงเทพ")).toBe(true);
    expect(startMatch("北京大学。", ["北京"], { language: "zh" }).correct).toBe(1);
  });

  it("does not look past the first line break", () => {
    expect(startMatch("Kawann\nShort", ["Kawann Short"], { language: "en" }).correct).toBe(0);
    expect(startMatch("Kawann\nShort", ["Kawann"], { language: "en" }).correct).toBe(1);
  });

  it("compares a gold answer longer than 50 characters on its first 50", () => {
    const gold = "the Pennsylvania Railroad and the New York Central Railroad"; // 59 characters
    expect(startMatch(`${gold}, which merged`, [gold], { language: "en" }).correct).toBe(1);
    expect(startMatch("the Pennsylvania Railroad alone", [gold], { language: "en" }).correct).toBe(0);
  });

  it("matches any of several golds, and an empty response matches none", () => {
    expect(startMatch("Santa Clara, California", ["Levi's Stadium", "Santa Clara"], { language: "en" }).correct).toBe(1);
    expect(startMatch("", ["Santa Clara"], { language: "en" }).correct).toBe(0);
  });

  it("has the paper's own prefix for en, de and ar and ours for the other XQuAD languages and fr, pt", () => {
    for (const lang of ["en", "de", "ar"]) expect(answerPrefixes[lang]!.source).toBe("paper-003");
    for (const lang of ["es", "fr", "pt", "ru", "zh", "el", "hi", "ro", "th", "tr", "vi"]) expect(answerPrefixes[lang]!.source).toBe("polytune");
  });
});
