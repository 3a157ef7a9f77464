import { execFileSync } from "node:child_process";
import { constants, existsSync, openSync, closeSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ImportRecord, RecordReader } from "../../../electron/engine/data/ImportRecord.js";
import { openReader } from "../../../electron/engine/data/openReader.js";
import { readParallel } from "../../../electron/engine/data/readParallel.js";
import { PolytuneError } from "../../../electron/shared/PolytuneError.js";
import { prerequisite, sharedDataDir } from "../../support/sharedData.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir("polytune-parallel-");
afterAll(() => tmp.cleanup());

function write(name: string, content: string | Buffer): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, content);
  return path;
}

async function all(reader: RecordReader): Promise<ImportRecord[]> {
  const out: ImportRecord[] = [];
  for await (const record of reader.records()) out.push(record);
  return out;
}

const pairs = (records: ImportRecord[]) => records.filter((r): r is Extract<ImportRecord, { kind: "pair" }> => r.kind === "pair");
const skips = (records: ImportRecord[]) => records.filter((r): r is Extract<ImportRecord, { kind: "skip" }> => r.kind === "skip");

/** The PolytuneError a promise rejects with (fails the test when it resolves or throws something else). */
async function refusal(promise: Promise<unknown>): Promise<PolytuneError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(PolytuneError);
  return error as PolytuneError;
}

const tatoeba = join(sharedDataDir, "tatoeba_laser");
const flores = join(sharedDataDir, "flores101_devtest_de_en_ro_zh");
const hasCorpora = prerequisite(existsSync(join(tatoeba, "tatoeba.deu-eng.deu")) && existsSync(join(flores, "flores101.devtest.de.txt")), `Tatoeba and FLORES in ${sharedDataDir}`);

describe.runIf(hasCorpora)("line-aligned pairs from the shared corpora", () => {
  it("reads Tatoeba deu-eng: 1000 pairs, languages from the file names", async () => {
    const files = [join(tatoeba, "tatoeba.deu-eng.deu"), join(tatoeba, "tatoeba.deu-eng.eng")];
    let progress = 0;
    const reader = await readParallel(files, "moses", { onBytes: (b) => (progress = b) });
    expect(reader).toMatchObject({ format: "moses", kind: "parallel", encoding: "utf-8", bytesTotal: 57121 + 48446 });
    const records = await all(reader);
    expect(records).toHaveLength(1000);
    expect(skips(records)).toEqual([]);
    expect(records[0]).toEqual({ kind: "pair", file: files[0], line: 1, source: "Maria sagte, sie wisse nicht, wo Tom sei.", target: "Mary said she didn't know where Tom was.", sourceLanguage: "de", targetLanguage: "en" });
    expect(records[999]).toMatchObject({ line: 1000, sourceLanguage: "de", targetLanguage: "en" });
    expect(progress).toBe(57121 + 48446);
  });

  it("reads Tatoeba cmn-eng as zh → en", async () => {
    const records = await all(await readParallel([join(tatoeba, "tatoeba.cmn-eng.cmn"), join(tatoeba, "tatoeba.cmn-eng.eng")], "moses"));
    expect(pairs(records)).toHaveLength(1000);
    expect(records[0]).toMatchObject({ source: "我們試試看！", target: "Let's have a look.", sourceLanguage: "zh", targetLanguage: "en" });
  });

  it("reads FLORES devtest de/en: 1012 pairs", async () => {
    const files = [join(flores, "flores101.devtest.de.txt"), join(flores, "flores101.devtest.en.txt")];
    const records = await all(await readParallel(files, "moses"));
    expect(pairs(records)).toHaveLength(1012);
    expect(records[0]).toMatchObject({
      line: 1,
      source: "„Wir haben jetzt 4 Monate alte Mäuse, die Diabetes hatten und jetzt keinen mehr haben“, fügte er hinzu.",
      target: '"We now have 4-month-old mice that are non-diabetic that used to be diabetic," he added.',
      sourceLanguage: "de",
      targetLanguage: "en",
    });
  });

  it("swaps files given against the languages asked for, and says so", async () => {
    const files = [join(flores, "flores101.devtest.en.txt"), join(flores, "flores101.devtest.zh.txt")];
    const reader = await readParallel(files, "moses", { languages: { source: "cmn", target: "eng" } });
    expect(reader.notes).toContain("flores101.devtest.zh.txt holds zh (the source) and flores101.devtest.en.txt holds en (the target), so they were read in that order.");
    const records = await all(reader);
    expect(records[0]).toMatchObject({ file: files[1], source: "他补充道：“我们现在有 4 个月大没有糖尿病的老鼠，但它们曾经得过该病。”", sourceLanguage: "zh", targetLanguage: "en" });
    expect(pairs(records)).toHaveLength(1012);
  });

  it("refuses FLORES files of different lengths, naming both counts", async () => {
    const files = [join(flores, "flores101.devtest.rand50.de.txt"), join(flores, "flores101.devtest.en.txt")];
    const error = await refusal(readParallel(files, "moses"));
    expect(error.code).toBe("data-line-count");
    expect(error.message).toBe("The two files have different numbers of lines: flores101.devtest.rand50.de.txt has 50, flores101.devtest.en.txt has 1012. Their lines cannot be paired.");
    expect(error.where).toBe(`${files[0]} + ${files[1]}`);
  });
});

describe("line-aligned pairs written by the test", () => {
  it("refuses different line counts, never truncating to the shorter", async () => {
    const de = write("short.de", "eins\nzwei\ndrei\n");
    const en = write("short.en", "one\ntwo\nthree\nfour\n");
    const error = await refusal(readParallel([de, en], "moses"));
    expect(error.code).toBe("data-line-count");
    expect(error.message).toContain("short.de has 3, short.en has 4");
  });

  it("skips a pair with an empty side by line, keeping the others on their lines", async () => {
    const de = write("gaps.de", "Hallo\n\nDanke\nBitte\n");
    const en = write("gaps.en", "Hello\nGood morning\nThanks\n   \n");
    const records = await all(await readParallel([de, en], "moses"));
    expect(records).toEqual([
      { kind: "pair", file: de, line: 1, source: "Hallo", target: "Hello", sourceLanguage: "de", targetLanguage: "en" },
      { kind: "skip", file: de, line: 2, reason: "line 2: gaps.de has an empty line there, so the pair was skipped" },
      { kind: "pair", file: de, line: 3, source: "Danke", target: "Thanks", sourceLanguage: "de", targetLanguage: "en" },
      { kind: "skip", file: en, line: 4, reason: "line 4: gaps.en has an empty line there, so the pair was skipped" },
    ]);
  });

  it("reads CRLF endings and a UTF-8 BOM without stray characters", async () => {
    const fr = write("crlf.fr", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("Bonjour\r\nMerci\r\n")]));
    const en = write("crlf.en", "Hello\r\nThanks\r\n");
    const reader = await readParallel([fr, en], "moses");
    expect(reader.encoding).toBe("crlf.fr: utf-8 (BOM); crlf.en: utf-8");
    expect(reader.notes).toEqual(["crlf.fr: The file starts with a UTF-8 byte order mark; it was removed."]);
    const records = pairs(await all(reader));
    expect(records.map((r) => [r.source, r.target])).toEqual([["Bonjour", "Hello"], ["Merci", "Thanks"]]);
  });

  it("pairs a UTF-16 file (converted, with a note) with a UTF-8 one, line for line", async () => {
    const ru = write("utf16.ru", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("Привет\r\nСпасибо", "utf16le")]));
    const en = write("utf16.en", "Hello\nThanks\n");
    const reader = await readParallel([ru, en], "moses");
    expect(reader.encoding).toBe("utf16.ru: utf-16le → utf-8; utf16.en: utf-8");
    expect(pairs(await all(reader)).map((r) => [r.source, r.target, r.sourceLanguage])).toEqual([["Привет", "Hello", "ru"], ["Спасибо", "Thanks", "ru"]]);
  });

  it("stops when the import is cancelled", async () => {
    const de = write("stop.de", "eins\nzwei\ndrei\n");
    const en = write("stop.en", "one\ntwo\nthree\n");
    const controller = new AbortController();
    const seen: ImportRecord[] = [];
    const reading = (async () => {
      for await (const record of (await readParallel([de, en], "moses", { signal: controller.signal })).records()) {
        seen.push(record);
        controller.abort();
      }
    })();
    expect((await refusal(reading)).code).toBe("data-cancelled");
    expect(seen).toHaveLength(1);
  });

  it("reports a line that is not valid UTF-8 as that pair's skip", async () => {
    const de = write("bad.de", Buffer.concat([Buffer.from("gut\n"), Buffer.from([0x66, 0xc3, 0x28, 0x0a]), Buffer.from("schön\n")]));
    const en = write("bad.en", "good\nbad\nnice\n");
    const records = await all(await readParallel([de, en], "moses"));
    expect(records.map((r) => r.kind)).toEqual(["pair", "skip", "pair"]);
    expect(records[1]).toMatchObject({ file: de, line: 2, reason: expect.stringMatching(/^line 2 is not valid UTF-8 \(byte 2 of the line, 0xc3\)/) });
    expect(records[2]).toMatchObject({ line: 3, source: "schön", target: "nice" });
  });

  it("refuses an empty file, naming it", async () => {
    const de = write("empty.de", "");
    const en = write("empty.en", "Hello\n");
    const error = await refusal(readParallel([de, en], "moses"));
    expect(error.code).toBe("data-empty");
    expect(error.where).toBe(de);
  });

  it("asks for the languages when the file names hold none, and uses them when given", async () => {
    const a = write("left.txt", "Hallo\n");
    const b = write("right.txt", "Hello\n");
    const error = await refusal(readParallel([a, b], "moses"));
    expect(error.code).toBe("data-languages");
    expect(error.message).toBe("The language of left.txt and right.txt cannot be told from the file name.");
    expect(error.hint).toContain("--source-lang");
    const records = await all(await readParallel([a, b], "moses", { languages: { source: "German", target: "en-GB" } }));
    expect(records).toEqual([{ kind: "pair", file: a, line: 1, source: "Hallo", target: "Hello", sourceLanguage: "de", targetLanguage: "en" }]);
  });

  it("follows the languages chosen over the file names, with a note", async () => {
    const a = write("named.fr", "Hallo\n");
    const b = write("named.en", "Hello\n");
    const reader = await readParallel([a, b], "moses", { languages: { source: "de" } });
    expect(reader.notes).toEqual(["named.fr is named as fr but was imported as de, as chosen."]);
    expect(await all(reader)).toEqual([{ kind: "pair", file: a, line: 1, source: "Hallo", target: "Hello", sourceLanguage: "de", targetLanguage: "en" }]);
  });

  it("refuses a language code it does not know, and one file", async () => {
    const a = write("one.de", "Hallo\n");
    expect((await refusal(readParallel([a, a], "moses", { languages: { source: "xx-klingon", target: "en" } }))).code).toBe("data-language");
    expect((await refusal(readParallel([a], "moses"))).message).toBe("Line-aligned parallel text needs exactly two files, one per language; 1 was given.");
    expect((await refusal(readParallel([a], "jsonl"))).code).toBe("data-format");
  });
});

describe("TSV pairs", () => {
  it("reads a header naming the languages and reports ragged rows by line", async () => {
    const file = write("pairs.tsv", ["en\tde", "Hello\tHallo", "one\ttwo\tthree", "lonely", "", 'She said "hi"\tSie sagte „hallo“', "\tleer", "Thanks\tDanke"].join("\n") + "\n");
    const reader = await readParallel([file], "tsv-pairs");
    expect(reader.notes).toEqual(["Line 1 is a header (en | de); it was not imported."]);
    expect(await all(reader)).toEqual([
      { kind: "pair", file, line: 2, source: "Hello", target: "Hallo", sourceLanguage: "en", targetLanguage: "de" },
      { kind: "skip", file, line: 3, reason: "line 3 has 3 columns; expected 2 (source, then target, separated by one tab)" },
      { kind: "skip", file, line: 4, reason: "line 4 has 1 column; expected 2 (source, then target, separated by one tab)" },
      { kind: "pair", file, line: 6, source: 'She said "hi"', target: "Sie sagte „hallo“", sourceLanguage: "en", targetLanguage: "de" },
      { kind: "skip", file, line: 7, reason: "line 7: the source column is empty" },
      { kind: "pair", file, line: 8, source: "Thanks", target: "Danke", sourceLanguage: "en", targetLanguage: "de" },
    ]);
  });

  it("takes the languages from a pair in the file name, and keeps a first row that is data", async () => {
    const file = write("opus.fr-en.tsv", "Ja\tYes\r\nMerci\tThanks\r\n");
    const records = await all(await readParallel([file], "tsv-pairs"));
    expect(records).toEqual([
      { kind: "pair", file, line: 1, source: "Ja", target: "Yes", sourceLanguage: "fr", targetLanguage: "en" },
      { kind: "pair", file, line: 2, source: "Merci", target: "Thanks", sourceLanguage: "fr", targetLanguage: "en" },
    ]);
  });

  it("asks for the languages when nothing names them", async () => {
    const file = write("plain.tsv", "Hallo\tHello\n");
    const error = await refusal(readParallel([file], "tsv-pairs"));
    expect(error.code).toBe("data-languages");
    expect(error.message).toBe("The languages of the two columns of plain.tsv are not named in its first line or its file name.");
  });
});

const tmxHead = '<?xml version="1.0" encoding="UTF-8"?>\n';

describe("TMX", () => {
  const multilingual = write(
    "memory.tmx",
    tmxHead +
      [
        "<!DOCTYPE tmx SYSTEM \"tmx14.dtd\">",
        '<tmx version="1.4">',
        '  <header creationtool="test" creationtoolversion="1" segtype="sentence" o-tmf="none" adminlang="en" srclang="en-US" datatype="plaintext"/>',
        "  <body>",
        '    <tu tuid="t1">',
        '      <tuv xml:lang="en-US"><seg>Click <bpt i="1" x="1">&lt;b&gt;</bpt>Save<ept i="1">&lt;/b&gt;</ept> now.</seg></tuv>',
        '      <tuv xml:lang="de-DE"><seg>Klicken Sie <hi type="bold">jetzt</hi> auf <ph x="2">{1}<sub>alt text</sub></ph>Speichern.</seg></tuv>',
        '      <tuv xml:lang="fr-FR"><seg>Cliquez sur Enregistrer.</seg></tuv>',
        "    </tu>",
        '    <tu tuid="t2">',
        '      <tuv xml:lang="en"><seg><![CDATA[Fish & chips]]></seg></tuv>',
        '      <tuv xml:lang="fr"><seg>Poisson-frites</seg></tuv>',
        "    </tu>",
        "    <tu>",
        '      <prop type="x-note">not text</prop>',
        '      <tuv lang="EN"><seg>Tom &amp; Mary &#x263A;</seg></tuv>',
        '      <tuv xml:lang="de"><seg>Tom &amp; Maria &#9786;</seg></tuv>',
        "    </tu>",
        "  </body>",
        "</tmx>",
      ].join("\n") +
      "\n",
  );

  it("reads two of several languages, inline codes left out of the text", async () => {
    const reader = await readParallel([multilingual], "tmx", { languages: { target: "de" } });
    expect(reader).toMatchObject({ format: "tmx", kind: "parallel", encoding: "utf-8" });
    expect(reader.notes).toEqual(["The file holds en, de, fr; only en → de was imported."]);
    expect(await all(reader)).toEqual([
      { kind: "pair", file: multilingual, line: 6, recordId: "t1", source: "Click Save now.", target: "Klicken Sie jetzt auf Speichern.", sourceLanguage: "en", targetLanguage: "de" },
      { kind: "skip", file: multilingual, line: 11, recordId: "t2", reason: "the <tu> at line 11 has no de segment" },
      { kind: "pair", file: multilingual, line: 15, source: "Tom & Mary ☺", target: "Tom & Maria ☺", sourceLanguage: "en", targetLanguage: "de" },
    ]);
  });

  it("picks the requested pair, and asks which two when the file holds more", async () => {
    const records = await all(await readParallel([multilingual], "tmx", { languages: { source: "fr", target: "en" } }));
    expect(pairs(records).map((r) => [r.source, r.target])).toEqual([["Cliquez sur Enregistrer.", "Click Save now."], ["Poisson-frites", "Fish & chips"]]);
    expect(skips(records)).toEqual([{ kind: "skip", file: multilingual, line: 15, reason: "the <tu> at line 15 has no fr segment" }]);
    const error = await refusal(readParallel([multilingual], "tmx"));
    expect(error.code).toBe("data-languages");
    expect(error.message).toBe("memory.tmx holds segments in en, de, fr: say which two languages to import.");
    const missing = await refusal(readParallel([multilingual], "tmx", { languages: { source: "en", target: "ja" } }));
    expect(missing.message).toBe("memory.tmx has no segments in ja (the target language); it holds segments in en, de, fr.");
  });

  it("takes srclang and the one other language of a bilingual file, from a UTF-8 BOM and CRLF", async () => {
    const body = tmxHead + '<tmx version="1.4"><header srclang="de"/>\r\n<body>\r\n<tu><tuv xml:lang="en"><seg>Good</seg></tuv><tuv xml:lang="de"><seg>Gut</seg></tuv></tu>\r\n</body></tmx>\r\n';
    const file = write("bom.tmx", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]));
    const reader = await readParallel([file], "tmx");
    expect(reader.encoding).toBe("utf-8 (BOM)");
    expect(await all(reader)).toEqual([{ kind: "pair", file, line: 4, source: "Gut", target: "Good", sourceLanguage: "de", targetLanguage: "en" }]);
  });

  it("refuses an unclosed tag, naming the line it opened on", async () => {
    const file = write(
      "unclosed.tmx",
      tmxHead + '<tmx version="1.4">\n<body>\n<tu>\n<tuv xml:lang="en"><seg>Hello</seg></tuv>\n<tuv xml:lang="de"><seg>Hallo</seg></tuv>\n</body>\n</tmx>\n',
    );
    const error = await refusal(readParallel([file], "tmx", { languages: { source: "en", target: "de" } }));
    expect(error.code).toBe("data-xml");
    expect(error.message).toBe("<tu> opened at line 4 is not closed before a closing tag on line 7.");
    expect(error.where).toBe(`${file}:4`);

    const cut = write("cut.tmx", tmxHead + '<tmx version="1.4">\n<body>\n<tu>\n<tuv xml:lang="en"><seg>Hello');
    const cutError = await refusal(readParallel([cut], "tmx"));
    expect(cutError.message).toBe("cut.tmx ends before <seg> (opened at line 5) is closed: the file is cut short or a closing tag is missing.");
    expect(cutError.where).toBe(`${cut}:5`);
  });

  it("refuses a billion-laughs file at once, expanding nothing", async () => {
    const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`)];
    const file = write("laughs.tmx", `${tmxHead}<!DOCTYPE tmx [\n${lol.join("\n")}\n]>\n<tmx version="1.4"><body><tu><tuv xml:lang="en"><seg>&lol9;</seg></tuv><tuv xml:lang="de"><seg>x</seg></tuv></tu></body></tmx>\n`);
    const started = performance.now();
    const error = await refusal(readParallel([file], "tmx"));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.code).toBe("data-xml-entity");
    expect(error.message).toBe("laughs.tmx declares XML entities in its DOCTYPE (line 2). Polytune never expands entities, so it does not read files that declare them.");
    expect(error.where).toBe(`${file}:2`);
  });

  it("never opens the file an external entity or DTD points at", async () => {
    // A FIFO: whoever opened it to read would block until a writer came, and a non-blocking writer
    // finds a reader there (no ENXIO) for as long as one holds it open.
    const secret = join(tmp.dir, "secret.fifo");
    execFileSync("mkfifo", [secret]);
    const xxe = write("xxe.tmx", `${tmxHead}<!DOCTYPE tmx [\n<!ENTITY xxe SYSTEM "file://${secret}">\n]>\n<tmx version="1.4"><body><tu><tuv xml:lang="en"><seg>&xxe;</seg></tuv><tuv xml:lang="de"><seg>x</seg></tuv></tu></body></tmx>\n`);
    const error = await refusal(readParallel([xxe], "tmx"));
    expect(error.code).toBe("data-xml-entity");
    expect(error.where).toBe(`${xxe}:2`);

    // An external DTD (as TMX exports name tmx14.dtd) is allowed, and never fetched.
    const dtd = write("dtd.tmx", `${tmxHead}<!DOCTYPE tmx SYSTEM "file://${secret}">\n<tmx version="1.4"><body><tu><tuv xml:lang="en"><seg>Yes</seg></tuv><tuv xml:lang="de"><seg>Ja</seg></tuv></tu></body></tmx>\n`);
    expect(pairs(await all(await readParallel([dtd], "tmx"))).map((r) => r.target)).toEqual(["Ja"]);

    let noReader = false;
    try {
      closeSync(openSync(secret, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch (e) {
      noReader = (e as NodeJS.ErrnoException).code === "ENXIO";
    }
    expect(noReader).toBe(true);
  });

  it("refuses an entity XML does not define, naming the line", async () => {
    const file = write("nbsp.tmx", `${tmxHead}<tmx version="1.4"><body>\n<tu><tuv xml:lang="en"><seg>a&nbsp;b</seg></tuv></tu>\n</body></tmx>\n`);
    const error = await refusal(readParallel([file], "tmx"));
    expect(error.code).toBe("data-xml-entity");
    expect(error.where).toBe(`${file}:3`);
  });

  it("refuses XML that is not TMX, and a TMX without units", async () => {
    const xml = write("other.tmx", `${tmxHead}<html><body/></html>\n`);
    const error = await refusal(readParallel([xml], "tmx"));
    expect(error.code).toBe("data-format");
    expect(error.message).toBe("other.tmx is XML but not TMX: its root element is <html>, not <tmx>.");
    const hollow = write("hollow.tmx", `${tmxHead}<tmx version="1.4"><header srclang="en"/><body></body></tmx>\n`);
    expect((await refusal(readParallel([hollow], "tmx"))).code).toBe("data-empty");
  });
});

describe("openReader hands parallel text to these readers", () => {
  it("sniffs TMX, two plain-text files and a two-column TSV when the format is auto", async () => {
    const tmx = write("sniffed.xml", `${tmxHead}<tmx version="1.4"><body><tu><tuv xml:lang="en"><seg>Yes</seg></tuv><tuv xml:lang="es"><seg>Sí</seg></tuv></tu></body></tmx>\n`);
    const fromTmx = await openReader([tmx], { languages: { source: "en" } });
    expect(fromTmx).toMatchObject({ format: "tmx", kind: "parallel" });
    expect(await all(fromTmx)).toEqual([{ kind: "pair", file: tmx, line: 2, source: "Yes", target: "Sí", sourceLanguage: "en", targetLanguage: "es" }]);

    const es = write("auto.es", "Hola\nGracias\n");
    const en = write("auto.en", "Hello\nThanks\n");
    const fromMoses = await openReader([es, en], {});
    expect(fromMoses.format).toBe("moses");
    expect(pairs(await all(fromMoses)).map((r) => [r.sourceLanguage, r.source, r.targetLanguage, r.target])).toEqual([["es", "Hola", "en", "Hello"], ["es", "Gracias", "en", "Thanks"]]);

    const tsv = write("auto-pairs.tsv", "en\tes\nHello\tHola\n");
    const fromTsv = await openReader([tsv], {});
    expect(fromTsv.format).toBe("tsv-pairs");
    expect(pairs(await all(fromTsv))).toEqual([{ kind: "pair", file: tsv, line: 2, source: "Hello", target: "Hola", sourceLanguage: "en", targetLanguage: "es" }]);
  });
});
