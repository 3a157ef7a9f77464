import { describe, expect, it } from "vitest";
import { promptText } from "../../../electron/engine/infer/promptFormats.js";

describe("promptText", () => {
  it("puts the user's text into the Alpaca template verbatim, whatever it contains", () => {
    const content = "Explain $& and $' and $` and {input} here";
    const input = "with {instruction} and $1";
    const text = promptText("alpaca", { role: "user", content, input }, true);
    expect(text).toContain(`### Instruction:\n${content}\n\n### Input:\n${input}\n\n### Response:\n`);
    expect(text.startsWith("Below is an instruction that describes a task, paired with an input")).toBe(true);
  });

  it("uses the template without input when there is none", () => {
    const text = promptText("alpaca", { role: "user", content: "Say $&." }, true);
    expect(text).toBe("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nSay $&.\n\n### Response:\n");
  });
});
