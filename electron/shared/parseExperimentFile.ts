// An experiment file's text, read the one way the CLI and the form share: JSON with comments and
// trailing commas (jsonc-parser is plain JS, so the renderer can run it too), checked with the
// contract's schema. Every problem names its line and the field's path in the file; paths inside the
// file are left as written (only the CLI knows the file's folder to resolve them against).
import { findNodeAtLocation, parse, parseTree, printParseErrorCode, type JSONPath, type Node, type ParseError } from "jsonc-parser";
import type { z } from "zod";
import { ExperimentSpecSchema, type ExperimentSpecParsed } from "./experimentContract.js";

export interface ExperimentFileProblem {
  /** 1-based; where the field is missing, the line of the nearest field that encloses it. */
  line: number;
  /** The field's path in the file ("grid.lr.lora[0]"); empty for the file as a whole. */
  field: string;
  /** jsonc-parser's name of a syntax error, else the schema's message. */
  message: string;
  /** The schema's issue, so a UI can word it its own way; null for a syntax error. */
  issue: z.core.$ZodIssue | null;
}

export type ExperimentFileRead =
  | { spec: ExperimentSpecParsed; problems: null; lineOf: (path: readonly PropertyKey[]) => number }
  | { spec: null; problems: ExperimentFileProblem[] };

/** "grid.lr.lora[0]": list positions in brackets, as a reader of the file counts them. */
export const experimentFieldPath = (path: readonly PropertyKey[]): string =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");

const lineAt = (text: string, offset: number): number => text.slice(0, offset).split("\n").length;

/** The file's value, with the schema's defaults filled in, or every problem; a syntax error stops at the first (later ones only echo it). */
export function parseExperimentFile(text: string): ExperimentFileRead {
  const errors: ParseError[] = [];
  const raw = parse(text, errors, { allowTrailingComma: true }) as unknown;
  if (errors.length > 0) {
    const e = errors[0]!;
    return { spec: null, problems: [{ line: lineAt(text, e.offset), field: "", message: printParseErrorCode(e.error), issue: null }] };
  }
  const root = parseTree(text, [], { allowTrailingComma: true });
  const lineOf = (path: readonly PropertyKey[]): number => {
    // A missing field has no node: its nearest enclosing one, on the key's line where it is a property.
    for (let depth = path.length; depth >= 0 && root; depth--) {
      const node: Node | undefined = findNodeAtLocation(root, path.slice(0, depth) as JSONPath);
      if (node) return lineAt(text, node.parent?.type === "property" ? node.parent.offset : node.offset);
    }
    return 1;
  };
  const parsed = ExperimentSpecSchema.safeParse(raw);
  if (parsed.success) return { spec: parsed.data, problems: null, lineOf };
  return {
    spec: null,
    problems: parsed.error.issues.map((issue) => ({
      // An unknown key is pointed at, not the object that holds it.
      line: lineOf(issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path),
      field: experimentFieldPath(issue.path),
      message: issue.message,
      issue,
    })),
  };
}
