import { basename } from "node:path";
import { SaxesParser } from "saxes";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { openTextFile, throwIfAborted, type TextFile } from "./decodeText.js";
import type { ImportRecord, ReaderOptions, RecordReader } from "./ImportRecord.js";
import { normaliseLanguage } from "./languageCodes.js";
import { chooseLanguagesHint, givenLanguage, requireTwoLanguages } from "./parallelLanguages.js";

/** One translation unit as read: its line, tuid, and each variant's language and segment text. */
interface TranslationUnit {
  line: number;
  tuid: string | undefined;
  /** Each <tuv>: its language normalised (undefined when missing or not a language code) and segment text. */
  variants: { language: string | undefined; text: string }[];
}

// TMX 1.4 §3.7: these hold the original document's formatting codes ("<b>", "{1}"), not text to translate;
// their <sub> elements are sub-flows of that code, so they are left out too. <hi> wraps real text.
const nativeCode = new Set(["bpt", "ept", "it", "ph", "ut"]);

const writeSlice = 64 * 1024;

const fixXml = "Repair the file in the tool that exported it (export it again as TMX 1.4), then import it again.";

/**
 * Parses a TMX file with saxes, one decoded line at a time. saxes expands only XML's five predefined
 * entities and character references, never entities a DTD declares, and never reads a DTD or anything
 * else outside the file; a DOCTYPE that declares entities is refused outright ("billion laughs",
 * external entities). Yields each <tu> once it is closed.
 */
async function* tmxUnits(file: string, text: TextFile, signal: AbortSignal | undefined, onHeader: (srclang: string | undefined) => void = () => undefined): AsyncGenerator<TranslationUnit> {
  const parser = new SaxesParser({ position: true });
  // saxes pushes events; a line's finished units are handed on before the next line is read.
  const ready: TranslationUnit[] = [];
  const open: { name: string; line: number }[] = [];
  let popped: { name: string; line: number } | undefined;
  let unit: TranslationUnit | undefined;
  let variant: TranslationUnit["variants"][number] | undefined;
  let inSeg = false;
  let codeDepth = 0;

  const fail = (code: string, message: string, line: number, hint = fixXml): never => {
    throw new PolytuneError(code, message, { where: `${file}:${line}`, hint });
  };

  parser.on("error", (error) => {
    const what = error.message.replace(/^\d+:\d+: /, "");
    const innermost = open[open.length - 1];
    if (what.startsWith("unclosed tag") && innermost) {
      fail("data-xml", `${basename(file)} ends before <${innermost.name}> (opened at line ${innermost.line}) is closed: the file is cut short or a closing tag is missing.`, innermost.line);
    }
    // saxes reports this after handing the unclosed element to closetag, so it is the one just popped.
    if (what.startsWith("unexpected close tag") && popped) {
      fail("data-xml", `<${popped.name}> opened at line ${popped.line} is not closed before a closing tag on line ${parser.line}.`, popped.line);
    }
    if (what.startsWith("undefined entity")) {
      fail("data-xml-entity", `Line ${parser.line} uses an entity that is not one of XML's own (&amp; &lt; &gt; &quot; &apos;). Polytune does not expand other entities.`, parser.line);
    }
    fail("data-xml", `${basename(file)} is not well-formed XML at line ${parser.line}, column ${parser.column + 1}: ${what}`, parser.line);
  });
  parser.on("doctype", (doctype) => {
    // Declared entities are where entity expansion and external-entity attacks live; TMX needs none.
    if (/<!ENTITY/i.test(doctype)) {
      const line = parser.line - (doctype.match(/\n/g)?.length ?? 0);
      fail("data-xml-entity", `${basename(file)} declares XML entities in its DOCTYPE (line ${line}). Polytune never expands entities, so it does not read files that declare them.`, line, "A TMX export needs no entity declarations: export the file again from your translation tool, or remove the <!ENTITY …> lines.");
    }
  });
  parser.on("opentag", (tag) => {
    const line = parser.line;
    if (open.length === 0 && tag.name !== "tmx") {
      fail("data-format", `${basename(file)} is XML but not TMX: its root element is <${tag.name}>, not <tmx>.`, line, "Choose a TMX file (translation memory exchange, .tmx).");
    }
    open.push({ name: tag.name, line });
    const attr = (name: string): string | undefined => {
      const value = tag.attributes[name];
      return typeof value === "string" ? value : undefined;
    };
    if (inSeg) {
      if (nativeCode.has(tag.name) || codeDepth > 0) codeDepth++;
      return;
    }
    if (tag.name === "header") onHeader(attr("srclang"));
    else if (tag.name === "tu") unit = { line, tuid: attr("tuid"), variants: [] };
    else if (tag.name === "tuv" && unit) {
      // TMX 1.4 uses xml:lang; 1.1 and some exporters write lang.
      const rawLanguage = attr("xml:lang") ?? attr("lang");
      variant = { language: rawLanguage === undefined ? undefined : normaliseLanguage(rawLanguage), text: "" };
    } else if (tag.name === "seg" && variant) {
      inSeg = true;
      codeDepth = 0;
    }
  });
  const onText = (chunk: string): void => {
    if (inSeg && codeDepth === 0 && variant) variant.text += chunk;
  };
  parser.on("text", onText);
  parser.on("cdata", onText);
  parser.on("closetag", (tag) => {
    popped = open.pop();
    if (inSeg) {
      if (tag.name === "seg" && codeDepth === 0) inSeg = false;
      else if (codeDepth > 0) codeDepth--;
      return;
    }
    if (tag.name === "tuv" && unit && variant) {
      unit.variants.push(variant);
      variant = undefined;
    } else if (tag.name === "tu" && unit) {
      ready.push(unit);
      unit = undefined;
    }
  });

  for await (const item of text.lines()) {
    throwIfAborted(signal);
    // XML is text all through: a line that does not decode makes the whole file unreadable as XML.
    if ("error" in item) fail("data-encoding", `${basename(file)} cannot be read as XML: ${item.error}.`, item.line, "Save the file as UTF-8 and import it again.");
    else {
      // A TMX written on one line would otherwise hand on every unit at once: feed it in slices
      // (saxes carries a character or tag split between writes over to the next).
      for (let at = 0; at < item.text.length; at += writeSlice) {
        throwIfAborted(signal);
        parser.write(item.text.slice(at, at + writeSlice));
        yield* ready.splice(0);
      }
      parser.write("\n");
    }
    yield* ready.splice(0);
  }
  parser.close();
  yield* ready.splice(0);
}

/** What a first pass learns: the languages in order of first use, the header's srclang, how many units. */
interface TmxScan {
  languages: string[];
  unlabelled: number;
  srclang: string | undefined;
  units: number;
}

async function scanTmx(file: string, signal: AbortSignal | undefined): Promise<TmxScan> {
  const scan: TmxScan = { languages: [], unlabelled: 0, srclang: undefined, units: 0 };
  const text = await openTextFile(file, { signal });
  const units = tmxUnits(file, text, signal, (srclang) => {
    scan.srclang = srclang;
  });
  for await (const unit of units) {
    scan.units++;
    for (const v of unit.variants) {
      if (v.language === undefined) scan.unlabelled++;
      else if (!scan.languages.includes(v.language)) scan.languages.push(v.language);
    }
  }
  return scan;
}

/**
 * The two languages to import: those given, else the header's srclang and the one other language the file
 * holds. A TMX with more languages needs the user to say which two.
 */
function chooseLanguages(file: string, scan: TmxScan, options: ReaderOptions): { source: string; target: string } {
  const given = { source: givenLanguage(options.languages?.source, "source"), target: givenLanguage(options.languages?.target, "target") };
  const header = scan.srclang && scan.srclang.toLowerCase() !== "*all*" ? normaliseLanguage(scan.srclang) : undefined;
  const only = (exclude: string | undefined): string | undefined => {
    const rest = scan.languages.filter((l) => l !== exclude);
    return rest.length === 1 ? rest[0] : undefined;
  };
  const held = scan.languages.length === 0 ? "no language-labelled segments" : `segments in ${scan.languages.join(", ")}`;
  if (scan.units === 0) fail(file, "data-empty", `${basename(file)} is a TMX file without any translation units (<tu>).`, "Choose a TMX file that holds translations.");
  const source = given.source ?? header ?? (given.target ? only(given.target) : scan.languages.length === 2 ? scan.languages[0] : undefined);
  const target = given.target ?? (source ? only(source) : undefined);
  if (source === undefined || target === undefined) {
    return fail(file, "data-languages", `${basename(file)} holds ${held}: say which two languages to import.`, chooseLanguagesHint);
  }
  for (const [side, language] of [["source", source], ["target", target]] as const) {
    if (!scan.languages.includes(language)) fail(file, "data-languages", `${basename(file)} has no segments in ${language} (the ${side} language); it holds ${held}.`, chooseLanguagesHint);
  }
  requireTwoLanguages(source, target, file);
  return { source, target };
}

function fail(file: string, code: string, message: string, hint: string): never {
  throw new PolytuneError(code, message, { where: file, hint });
}

/**
 * A TMX 1.4 translation memory as sentence pairs in two of its languages. A first pass checks that the file
 * is well-formed and finds its languages, so a broken file is refused before anything is imported; the
 * second streams one <tu> at a time.
 */
export async function readTmx(files: string[], options: ReaderOptions = {}): Promise<RecordReader> {
  if (files.length !== 1) {
    throw new PolytuneError("data-files", `A TMX import reads one file; ${files.length} were given.`, { where: files[0], hint: "Import one TMX file at a time." });
  }
  const file = files[0]!;
  const scan = await scanTmx(file, options.signal);
  const { source, target } = chooseLanguages(file, scan, options);
  const text = await openTextFile(file, { signal: options.signal, onBytes: options.onBytes });
  const notes = [...text.notes];
  if (scan.languages.length > 2) notes.push(`The file holds ${scan.languages.join(", ")}; only ${source} → ${target} was imported.`);
  if (scan.unlabelled > 0) notes.push(`${scan.unlabelled} segment${scan.unlabelled === 1 ? " has" : "s have"} no language Polytune knows (xml:lang missing or not a language code); they were not used.`);
  return {
    format: "tmx",
    kind: "parallel",
    encoding: text.encoding,
    notes,
    bytesTotal: text.bytesTotal,
    records: () => tmxRecords(file, text, source, target, options.signal),
  };
}

function toRecord(file: string, unit: TranslationUnit, sourceLanguage: string, targetLanguage: string): ImportRecord {
  const at = { file, line: unit.line, ...(unit.tuid === undefined ? {} : { recordId: unit.tuid }) };
  const find = (language: string) => unit.variants.find((v) => v.language === language);
  const source = find(sourceLanguage);
  const target = find(targetLanguage);
  const missing = [source ? undefined : sourceLanguage, target ? undefined : targetLanguage].filter((l) => l !== undefined);
  if (missing.length > 0) return { kind: "skip", ...at, reason: `the <tu> at line ${unit.line} has no ${missing.join(" or ")} segment` };
  const sourceText = source!.text.trim();
  const targetText = target!.text.trim();
  if (sourceText === "" || targetText === "") return { kind: "skip", ...at, reason: `the <tu> at line ${unit.line} has an empty ${sourceText === "" ? sourceLanguage : targetLanguage} segment` };
  return { kind: "pair", ...at, source: sourceText, target: targetText, sourceLanguage, targetLanguage };
}

async function* tmxRecords(file: string, text: TextFile, sourceLanguage: string, targetLanguage: string, signal: AbortSignal | undefined): AsyncGenerator<ImportRecord> {
  for await (const unit of tmxUnits(file, text, signal)) yield toRecord(file, unit, sourceLanguage, targetLanguage);
}
