import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { languageFromFileName, normaliseLanguage, sameLanguage } from "../../../electron/engine/data/languageCodes.js";

describe("normaliseLanguage", () => {
  it.each([
    ["deu", "de"], ["ger", "de"], ["de-DE", "de"], ["de_DE", "de"], ["German", "de"], ["german", "de"], ["DE", "de"],
    ["eng", "en"], ["English", "en"], ["cmn", "zh"], ["zho", "zh"], ["zh-CN", "zh"], ["zh-Hans", "zh"], ["Chinese", "zh"], ["Mandarin Chinese", "zh"],
    ["swh", "sw"], ["arb", "ar"], ["ara", "ar"], ["por", "pt"], ["pt_BR", "pt"], ["ron", "ro"], ["rum", "ro"], ["Swahili", "sw"],
    // No ISO 639-1 code: the ISO 639-3 code stays.
    ["yue", "yue"], ["ceb", "ceb"],
  ])("%s → %s", (text, code) => {
    expect(normaliseLanguage(text)).toBe(code);
  });

  // What lid.176 says and what a file claims must compare equal, so its labels are the canonical codes.
  const lid176 = createRequire(import.meta.url)("fasttext.wasm.js/dist/models/language-identification/assets/languages.json") as Record<string, { alpha3: string }>;

  it("keeps every lid.176 label as it is", () => {
    const labels = Object.keys(lid176);
    expect(labels).toHaveLength(176);
    expect(labels.filter((label) => normaliseLanguage(label) !== label)).toEqual([]);
  });

  it.each([
    ["nob", "no"], ["nb", "no"], ["nor", "no"], ["nno", "nn"], ["nn", "nn"], ["tgl", "tl"], ["fil", "tl"], ["gsw", "als"], ["zza", "diq"], ["hbs", "sh"], ["sh", "sh"], ["pnb", "pnb"],
  ])("brings %s to lid.176's label %s", (text, code) => {
    expect(normaliseLanguage(text)).toBe(code);
  });

  it.each(["", "  ", "xyz", "und", "mul", "zxx", "Klingonish", "de-en-xx-yy-zz-123456789", "12", "d"])("refuses %j", (text) => {
    expect(normaliseLanguage(text)).toBeUndefined();
  });

  it("compares codes after normalising them", () => {
    expect(sameLanguage("deu", "de-AT")).toBe(true);
    expect(sameLanguage("cmn", "zh")).toBe(true);
    expect(sameLanguage("de", "en")).toBe(false);
    expect(sameLanguage("xyz", "xyz")).toBe(false);
  });
});

describe("languageFromFileName", () => {
  it.each([
    ["corpus.de", "de"],
    ["x.de-en.de", "de"],
    ["tatoeba.deu-eng.deu", "de"],
    ["tatoeba.deu-eng.eng", "en"],
    ["tatoeba.cmn-eng.cmn", "zh"],
    ["/data/flores101_devtest/flores101.devtest.de.txt", "de"],
    ["flores101.devtest.rand50.zh.txt", "zh"],
    ["train.en-de.en", "en"],
    ["europarl-v7.de-en.de", "de"],
    ["news.pt_BR", "pt"],
    ["corpus.tok.de", "de"],
  ])("%s → %s", (name, code) => {
    expect(languageFromFileName(name)).toBe(code);
  });

  it.each([
    "corpus", "corpus.txt", "de", "test.idx_rand.txt", "notes.german",
    // The last part is not one of the pair the name states.
    "train.en-de.fr",
    // A file kind that is also an ISO 639-3 code (txt = Citak) is never read as a language.
    "corpus.src.txt",
  ])("finds no language in %s", (name) => {
    expect(languageFromFileName(name)).toBeUndefined();
  });
});
