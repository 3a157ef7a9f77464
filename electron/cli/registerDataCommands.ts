import { type Command, Option } from "commander";
import type { EventPayload } from "../shared/contract.js";
import { datasetFormats, exampleProvenances, FieldMappingSchema, importProvenances, type Dataset, type DatasetFormat, type DatasetRow, type FieldMapping, type Provenance } from "../shared/datasetContract.js";
import { PolytuneError } from "../shared/PolytuneError.js";
import { formatBytes, formatInteger } from "../shared/formatQuantities.js";
import type { PolytuneEngine } from "../engine/createEngine.js";
import { intOption } from "./parseOptionNumber.js";

export interface DataCliDeps {
  withEngine<T>(fn: (engine: PolytuneEngine) => Promise<T>): Promise<T>;
  json(): boolean;
}

interface ImportOptions {
  format: DatasetFormat;
  map: string[];
  language?: string;
  sourceLang?: string;
  targetLang?: string;
  provenance: Provenance;
  name?: string;
}

const mappingFields = Object.keys(FieldMappingSchema.shape);

/** `--map instruction=prompt --map output=answer` as a FieldMapping; a misspelt part is refused by name. */
export function parseMapping(pairs: readonly string[]): FieldMapping | undefined {
  if (pairs.length === 0) return undefined;
  const mapping: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    const field = at > 0 ? pair.slice(0, at).trim() : "";
    const column = at > 0 ? pair.slice(at + 1).trim() : "";
    if (!field || !column) {
      throw new PolytuneError("data-mapping", `"--map ${pair}" is not of the form field=column.`, { where: "--map", hint: `For example --map instruction=question --map output=answer. Fields: ${mappingFields.join(", ")}.` });
    }
    if (!mappingFields.includes(field)) {
      throw new PolytuneError("data-mapping", `"${field}" is not a field Polytune maps.`, { where: `--map ${pair}`, hint: `Map one of: ${mappingFields.join(", ")}.` });
    }
    mapping[field] = column;
  }
  return FieldMappingSchema.parse(mapping);
}

function bar(done: number, total: number, width = 24): string {
  const filled = total > 0 ? Math.min(width, Math.round((width * done) / total)) : 0;
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ").trimEnd());
}

/** The summary printed after an import and by `data show`. */
export function datasetSummary(d: Dataset): string {
  const lines = [
    `${d.id}  ${d.name}  (${d.kind}, ${d.format}, ${d.encoding})`,
    `kept ${formatInteger(d.examples)} · skipped ${formatInteger(d.skipped)} · duplicates ${formatInteger(d.duplicates)} · low confidence ${formatInteger(d.lowConfidence)}`,
  ];
  if (d.languages.length > 0) {
    lines.push(
      ...table([
        ["language", d.kind === "parallel" ? "sides" : "examples", "low conf.", "mismatched"],
        ...d.languages.map((l) => [l.language, formatInteger(l.examples), formatInteger(l.lowConfidence), formatInteger(l.mismatched)]),
      ]).map((l) => `  ${l}`),
    );
  }
  for (const note of d.notes) lines.push(`  · ${note}`);
  if (d.errorCount > 0) {
    lines.push(`${formatInteger(d.errorCount)} record(s) skipped${d.errorCount > d.errors.length ? ` (first ${d.errors.length} listed)` : ""}:`);
    for (const e of d.errors.slice(0, 10)) lines.push(`  ${e.file}:${e.line}: ${e.reason}`);
    if (d.errors.length > 10) lines.push(`  … ${d.errors.length - 10} more in \`polytune --json data show ${d.id}\``);
  }
  return lines.join("\n");
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** One row on one line, numbered from 1 as the page's "showing" line counts. */
function rowLine(r: DatasetRow): string {
  if (r.kind === "pair") {
    return `#${r.ordinal + 1} ${r.sourceLanguage}→${r.targetLanguage} (${r.sourceConfidence.toFixed(2)}/${r.targetConfidence.toFixed(2)})  ${oneLine(r.source, 60)}  ⇒  ${oneLine(r.target, 60)}`;
  }
  const first = r.turns.find((t) => t.role === "user") ?? r.turns[0];
  // The store decides "mismatched" by the engine's one rule ("deu" claimed for "de" text is no mismatch).
  const claim = r.mismatched === true && r.claimedLanguage !== null ? ` claimed ${r.claimedLanguage}` : "";
  return `#${r.ordinal + 1} ${r.language} ${r.confidence.toFixed(2)}${claim} ${r.provenance}${r.turns.length > 2 ? ` ${r.turns.length} turns` : ""}  ${oneLine(first?.content ?? "", 100)}  (${r.file}:${r.line})`;
}

export function registerDataCommands(program: Command, deps: DataCliDeps): void {
  // Other commands (translation) may hang under `data` too: one `data` command, whoever registers first.
  const data = program.commands.find((c) => c.name() === "data") ?? program.command("data").description("datasets: import instruction and parallel data, list, show, remove");

  data
    .command("import")
    .argument("<files...>", "the files of one dataset (two line-aligned files for Moses-style parallel text)")
    .description("import instruction data (Alpaca, Dolly, ShareGPT, OpenAI, Guanaco, LIMA, CSV/TSV, Parquet, JSONL) or parallel text (Moses, TSV pairs, TMX), labelling each example's language")
    .addOption(new Option("--format <format>", "the files' format (auto: sniffed)").choices(datasetFormats).default("auto"))
    .option("--map <field=column>", `which field or column holds each part (${mappingFields.join(", ")}); repeatable`, (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option("--language <code>", "the language the whole file claims to be in (shown where the identified one disagrees)")
    .option("--source-lang <code>", "parallel text: the source side's language")
    .option("--target-lang <code>", "parallel text: the target side's language")
    .addOption(new Option("--provenance <p>", "where the examples come from (machine-translated data comes from `polytune data translate`, which records the model and prompt)").choices(importProvenances).default("native"))
    .option("--name <name>", "a name for the dataset (default: the file names)")
    .action(async (files: string[], o: ImportOptions) => {
      const mapping = parseMapping(o.map);
      const languages = o.sourceLang || o.targetLang ? { ...(o.sourceLang ? { source: o.sourceLang } : {}), ...(o.targetLang ? { target: o.targetLang } : {}) } : undefined;
      const json = deps.json();
      await deps.withEngine(async (engine) => {
        const importId = `cli-${process.pid}`;
        const tty = !json && process.stderr.isTTY;
        const off = engine.onEvent((name, payload) => {
          if (!tty || name !== "data.importProgress") return;
          const p = payload as EventPayload<"data.importProgress">;
          const pct = p.bytesTotal > 0 ? Math.round((100 * p.bytesDone) / p.bytesTotal) : 0;
          process.stderr.write(`\r${bar(p.bytesDone, p.bytesTotal)} ${pct}%  ${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)}  ${formatInteger(p.records)} records, ${formatInteger(p.kept)} kept, ${formatInteger(p.skipped)} skipped, ${formatInteger(p.duplicates)} duplicates   `);
        });
        // Ctrl+C cancels: the import removes what it wrote, and the error below says so.
        const onSigint = (): void => {
          if (!json) process.stderr.write("\nCancelling the import…\n");
          void engine.call("data.cancelImport", { importId }).catch(() => undefined);
        };
        process.once("SIGINT", onSigint);
        try {
          const dataset = await engine.call("data.import", {
            importId,
            files,
            format: o.format,
            provenance: o.provenance,
            ...(mapping ? { mapping } : {}),
            ...(languages ? { languages } : {}),
            ...(o.language ? { language: o.language } : {}),
            ...(o.name ? { name: o.name } : {}),
          });
          if (tty) process.stderr.write("\n");
          process.stdout.write(json ? `${JSON.stringify(dataset)}\n` : `Imported ${datasetSummary(dataset)}\n`);
        } finally {
          process.off("SIGINT", onSigint);
          off();
        }
      });
    });

  data
    .command("list")
    .description("list the imported datasets")
    .action(async () => {
      await deps.withEngine(async (engine) => {
        const list = await engine.call("data.list", {});
        if (deps.json()) {
          process.stdout.write(`${JSON.stringify(list)}\n`);
          return;
        }
        if (list.length === 0) {
          process.stdout.write("No datasets yet. Import one with `polytune data import FILE`.\n");
          return;
        }
        const rows = [["id", "name", "kind", "examples", "languages", "skipped", "created"]];
        for (const d of list) {
          const langs = d.languages.slice(0, 6).map((l) => `${l.language} ${formatInteger(l.examples)}`).join(", ") + (d.languages.length > 6 ? ", …" : "");
          rows.push([d.id, oneLine(d.name, 40), d.kind, formatInteger(d.examples), langs, formatInteger(d.skipped), d.createdAt.slice(0, 16).replace("T", " ")]);
        }
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        process.stdout.write(`${rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n")}\n`);
      });
    });

  data
    .command("show")
    .argument("<dataset>", "dataset id")
    .description("a dataset's summary and a page of its examples")
    .option("--language <code>", "only examples identified in this language")
    .option("--search <text>", "only examples whose text contains this")
    .addOption(new Option("--provenance <p>", "only examples of this provenance").choices(exampleProvenances))
    .option("--low-confidence", "only examples identified with low confidence")
    .option("--mismatched", "only examples whose claimed language disagrees with the identified one")
    .option("--offset <n>", "skip this many matching examples", intOption("--offset"), 0)
    .option("--limit <n>", "examples to show (at most 500)", intOption("--limit"), 20)
    .action(async (dataset: string, o: { language?: string; search?: string; provenance?: Provenance; lowConfidence?: boolean; mismatched?: boolean; offset: number; limit: number }) => {
      await deps.withEngine(async (engine) => {
        const shown = await engine.call("data.show", {
          dataset,
          offset: o.offset,
          limit: o.limit,
          ...(o.language ? { language: o.language } : {}),
          ...(o.search ? { search: o.search } : {}),
          ...(o.provenance ? { provenance: o.provenance } : {}),
          ...(o.lowConfidence ? { lowConfidence: true } : {}),
          ...(o.mismatched ? { mismatched: true } : {}),
        });
        if (deps.json()) {
          process.stdout.write(`${JSON.stringify(shown)}\n`);
          return;
        }
        const end = o.offset + shown.rows.length;
        process.stdout.write(
          [datasetSummary(shown.dataset), `${formatInteger(shown.total)} matching; showing ${shown.rows.length ? `${o.offset + 1}–${end}` : "none"}:`, ...shown.rows.map(rowLine)].join("\n") + "\n",
        );
      });
    });

  data
    .command("rm")
    .argument("<dataset>", "dataset id")
    .description("remove a dataset and its examples from Polytune (the source files are not touched)")
    .action(async (dataset: string) => {
      await deps.withEngine(async (engine) => {
        const result = await engine.call("data.remove", { dataset });
        if (!result.removed) {
          throw new PolytuneError("dataset-not-found", `No dataset "${dataset}".`, { where: dataset, hint: "List the datasets with `polytune data list`." });
        }
        process.stdout.write(deps.json() ? `${JSON.stringify(result)}\n` : `Removed dataset ${dataset}; its source files were not touched.\n`);
      });
    });
}
