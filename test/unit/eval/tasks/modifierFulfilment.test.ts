// Rule-based modifier fulfilment on responses crafted so each verdict follows from the rule's wording.
import { describe, expect, it } from "vitest";
import { arrowPoints, capitalisedWords, checkModifier, countListItems, hasHtml, hasMarkdown, modifierKind } from "../../../../electron/engine/eval/tasks/modifierFulfilment.js";

describe("modifier rules", () => {
  it("sorts modifiers into rule-checked and judged", () => {
    for (const m of ["lang_fr", "cap_template", "html_template", "arrow_template", "markdown_template", "num_items_6"]) expect(modifierKind(m)).toBe("rule");
    for (const m of ["short", "long", "scientific_style", "simple_style", "complex_inst"]) expect(modifierKind(m)).toBe("judge");
  });

  it("lang_XX: the identified language against the one asked for", () => {
    expect(checkModifier("lang_pt", "…", "pt").fulfilled).toBe(1);
    expect(checkModifier("lang_pt", "…", "es").fulfilled).toBe(0);
    expect(checkModifier("lang_pt", "", "und").fulfilled).toBe(0);
  });

  it("cap_template: every word starts with a capital, or the whole answer is in capitals", () => {
    expect(capitalisedWords("Season The Steak With Salt, Then Sear It.")).toBe(1);
    expect(capitalisedWords("SEASON THE STEAK WITH SALT.")).toBe(1);
    expect(capitalisedWords("Season the steak with salt.")).toBe(0);
    // Russian: cased too. Numbers and punctuation are not words.
    expect(capitalisedWords("Посолите Стейк - 2 Раза!")).toBe(1);
    expect(capitalisedWords("Посолите стейк")).toBe(0);
    // No cased word at all: nothing was capitalised.
    expect(capitalisedWords("把牛排 123")).toBe(0);
    expect(capitalisedWords("")).toBe(0);
  });

  it("html_template: an element opened and closed, or a doctype", () => {
    expect(hasHtml("<html><body><p>Salt it.</p></body></html>")).toBe(1);
    expect(hasHtml("<!DOCTYPE html>\nSalt it.")).toBe(1);
    expect(hasHtml('<ul class="tips">\n<li>Salt</li>\n</ul>')).toBe(1);
    expect(hasHtml("Use <b> tags for bold.")).toBe(0);
    expect(hasHtml("1 < 2 and 3 > 2")).toBe(0);
  });

  it("arrow_template: points start with an arrow and none with another marker", () => {
    expect(arrowPoints("Tips:\n--> Salt it\n--> Sear it")).toBe(1);
    expect(arrowPoints("-> Salt it\n→ Sear it")).toBe(1);
    expect(arrowPoints("--> Salt it\n- Sear it")).toBe(0);
    expect(arrowPoints("1. Salt it\n2. Sear it")).toBe(0);
    expect(arrowPoints("Salt it, then sear it.")).toBe(0);
  });

  it("markdown_template: a heading, emphasis, code, link, table, quote or bullet", () => {
    expect(hasMarkdown("# Steak\nSalt it.")).toBe(1);
    expect(hasMarkdown("Salt it **well**.")).toBe(1);
    expect(hasMarkdown("- Salt\n- Sear")).toBe(1);
    expect(hasMarkdown("| a | b |\n|---|---|\n| 1 | 2 |")).toBe(1);
    expect(hasMarkdown("See [this](https://example.org).")).toBe(1);
    expect(hasMarkdown("1. Salt\n2. Sear")).toBe(0);
    expect(hasMarkdown("Salt it, then sear it.")).toBe(0);
    expect(hasMarkdown("#hashtag 2 * 3 = 6")).toBe(0);
  });

  it("num_items_N: top-level list items counted, sub-points and prose not", () => {
    expect(countListItems("1. Jazz\n2. Blues\n3. Swing")).toBe(3);
    expect(countListItems("Here you go:\n- Jazz\n- Blues\n\nEnjoy!")).toBe(2);
    // Sub-points indented under items do not count.
    expect(countListItems("1. Jazz\n   - Louis Armstrong\n   - Duke Ellington\n2. Blues\n   * Bessie Smith")).toBe(2);
    // Mixed markers at the same level all count; "1)" numbering too; arrows are items.
    expect(countListItems("1) Jazz\n2) Blues\n• Swing\n--> Ragtime")).toBe(4);
    // A list indented as a whole: its own top level.
    expect(countListItems("  - Jazz\n  - Blues")).toBe(2);
    // Numbers inside prose or a year at line start without a marker are not items.
    expect(countListItems("In 1920 jazz was popular.\n1920s music: jazz and blues.")).toBe(0);
    expect(countListItems("")).toBe(0);
    expect(checkModifier("num_items_2", "- Jazz\n- Blues", "en")).toMatchObject({ fulfilled: 1, detail: { expected: 2, counted: 2 } });
    expect(checkModifier("num_items_3", "- Jazz\n- Blues", "en").fulfilled).toBe(0);
  });

  it("a judged modifier gets no rule verdict (null, not 0)", () => {
    expect(checkModifier("short", "Brief.", "en").fulfilled).toBeNull();
  });
});
