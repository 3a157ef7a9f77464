// A role read from a file is looked up in the reader's own table only: names that an object literal
// inherits from Object.prototype ("constructor", "__proto__", "toString") are unknown roles, skipped with a reason.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ImportRecord } from "../../../electron/engine/data/ImportRecord.js";
import { openReader } from "../../../electron/engine/data/openReader.js";
import { makeTempDir } from "../../support/tempDir.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = makeTempDir("polytune-roles-")));
afterEach(() => cleanup());

const inherited = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];

async function read(name: string, lines: unknown[]): Promise<ImportRecord[]> {
  const path = join(dir, name);
  // JSON.stringify writes "__proto__" as an own key, as a file from elsewhere would hold it.
  writeFileSync(path, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  const reader = await openReader([path], {});
  const records: ImportRecord[] = [];
  for await (const r of reader.records()) records.push(r);
  return records;
}

describe("roles named like Object.prototype's members", () => {
  it("OpenAI messages: each such role is an unknown role, the good record kept", async () => {
    const records = await read("messages.jsonl", [
      { messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello" }] },
      ...inherited.map((role) => ({ messages: [{ role: "user", content: "q" }, { role, content: "a" }] })),
    ]);
    expect(records[0]).toMatchObject({ kind: "conversation", line: 1 });
    expect(records.slice(1).map((r) => [r.kind, r.line, r.kind === "skip" ? r.reason : ""])).toEqual(
      inherited.map((role, i) => ["skip", i + 2, `message 2 has an unknown role "${role}"`]),
    );
  });

  it("ShareGPT from/value: the same", async () => {
    const records = await read("sharegpt.jsonl", [
      { conversations: [{ from: "human", value: "Hi" }, { from: "gpt", value: "Hello" }] },
      ...inherited.map((from) => ({ conversations: [{ from, value: "q" }, { from: "gpt", value: "a" }] })),
    ]);
    expect(records[0]).toMatchObject({ kind: "conversation", line: 1 });
    expect(records.slice(1).map((r) => (r.kind === "skip" ? r.reason : r.kind))).toEqual(inherited.map((from) => `message 1 has an unknown role "${from}"`));
  });
});
