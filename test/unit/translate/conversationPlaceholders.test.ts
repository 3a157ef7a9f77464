// Paper 003 App. B.2: roles become <S1>, <S2> before translation and are mapped back after; an output
// whose placeholders did not survive is flagged. Hand-written conversations and hand-written "model
// outputs", each checked against what a reader of the paper expects.
import { describe, expect, it } from "vitest";
import type { Turn } from "../../../electron/engine/data/Conversation.js";
import { restoreConversation, toPlaceholderText } from "../../../electron/engine/translate/conversationPlaceholders.js";

const codes = (flags: Array<{ code: string }>): string[] => flags.map((f) => f.code);

describe("placeholders for speaker roles", () => {
  it("writes a two-turn conversation as <S1> (human) and <S2> (assistant), as the paper does, and maps a translation back", () => {
    const turns: Turn[] = [
      { role: "user", content: "How do I boil an egg?" },
      { role: "assistant", content: "Put it in boiling water for eight minutes." },
    ];
    const p = toPlaceholderText(turns);
    expect(p.text).toBe("<S1> How do I boil an egg?\n\n<S2> Put it in boiling water for eight minutes.");
    const restored = restoreConversation("<S1> ¿Cómo hiervo un huevo?\n\n<S2> Ponlo en agua hirviendo durante ocho minutos.", p);
    expect(restored.flags).toEqual([]);
    expect(restored.turns).toEqual([
      { role: "user", content: "¿Cómo hiervo un huevo?" },
      { role: "assistant", content: "Ponlo en agua hirviendo durante ocho minutos." },
    ]);
    expect(restored.plainText).toBe("¿Cómo hiervo un huevo?\nPonlo en agua hirviendo durante ocho minutos.");
  });

  it("keeps a multi-turn conversation with a system turn and an Alpaca input apart, role by role", () => {
    const turns: Turn[] = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Summarise this.", input: "The cat sat on the mat." },
      { role: "assistant", content: "A cat sat." },
      { role: "user", content: "And in one word?" },
      { role: "assistant", content: "Cat." },
    ];
    const p = toPlaceholderText(turns);
    expect(p.markers).toEqual({ user: 1, assistant: 2, system: 3, input: 4 });
    expect(p.text).toBe("<S3> Be brief.\n\n<S1> Summarise this.\n\n<S4> The cat sat on the mat.\n\n<S2> A cat sat.\n\n<S1> And in one word?\n\n<S2> Cat.");
    // A model that retypes a marker with a space or in lower case still keeps it.
    const out = "<S3> Sé breve.\n\n<S1> Resume esto.\n\n< s4 > El gato se sentó en la alfombra.\n\n<S2> Un gato se sentó.\n\n<S1> ¿Y en una palabra?\n\n<S2> Gato.";
    const restored = restoreConversation(out, p);
    expect(restored.flags).toEqual([]);
    expect(restored.turns).toEqual([
      { role: "system", content: "Sé breve." },
      { role: "user", content: "Resume esto.", input: "El gato se sentó en la alfombra." },
      { role: "assistant", content: "Un gato se sentó." },
      { role: "user", content: "¿Y en una palabra?" },
      { role: "assistant", content: "Gato." },
    ]);
  });

  const threeTurns: Turn[] = [
    { role: "user", content: "Hi." },
    { role: "assistant", content: "Hello!" },
    { role: "user", content: "Bye." },
    { role: "assistant", content: "Goodbye!" },
  ];

  it("flags a lost placeholder and returns no turns", () => {
    const p = toPlaceholderText(threeTurns);
    const restored = restoreConversation("<S1> Hola.\n\n<S2> ¡Hola!\n\n<S1> Adiós. ¡Adiós!", p);
    expect(codes(restored.flags)).toEqual(["placeholder-missing"]);
    expect(restored.flags[0]!.message).toContain("<S2> 1 of 2");
    expect(restored.turns).toBeNull();
  });

  it("flags a duplicated placeholder (a model that invents another turn)", () => {
    const p = toPlaceholderText(threeTurns);
    const restored = restoreConversation("<S1> Hola.\n\n<S2> ¡Hola!\n\n<S1> Adiós.\n\n<S2> ¡Adiós!\n\n<S1> ¿Qué tal?", p);
    expect(codes(restored.flags)).toEqual(["placeholder-duplicated"]);
    expect(restored.flags[0]!.message).toContain("<S1> 3 instead of 2");
    expect(restored.turns).toBeNull();
  });

  it("flags placeholders that came back in another order", () => {
    const p = toPlaceholderText(threeTurns);
    const restored = restoreConversation("<S1> Hola.\n\n<S1> Adiós.\n\n<S2> ¡Hola!\n\n<S2> ¡Adiós!", p);
    expect(codes(restored.flags)).toEqual(["placeholder-reordered"]);
    expect(restored.turns).toBeNull();
  });

  it("numbers past a <S1> the text already holds, so that text stays content and is not taken for a marker", () => {
    const turns: Turn[] = [
      { role: "user", content: "What does <S1> mean in the Kew et al. prompt?" },
      { role: "assistant", content: "It marks the human's turn, as <S2> marks the assistant's." },
    ];
    const p = toPlaceholderText(turns);
    expect(p.markers).toEqual({ user: 3, assistant: 4 });
    expect(p.text).toBe("<S3> What does <S1> mean in the Kew et al. prompt?\n\n<S4> It marks the human's turn, as <S2> marks the assistant's.");
    const restored = restoreConversation("<S3> ¿Qué significa <S1> en el prompt de Kew et al.?\n\n<S4> Marca el turno del humano, como <S2> marca el del asistente.", p);
    expect(restored.flags).toEqual([]);
    expect(restored.turns).toEqual([
      { role: "user", content: "¿Qué significa <S1> en el prompt de Kew et al.?" },
      { role: "assistant", content: "Marca el turno del humano, como <S2> marca el del asistente." },
    ]);
    // The literal <S1> lost in translation is content, not a marker: the structure still holds.
    expect(restoreConversation("<S3> ¿Qué significa esto?\n\n<S4> Marca el turno.", p).flags).toEqual([]);
    // Our own marker lost is still caught.
    expect(codes(restoreConversation("<S3> ¿Qué significa <S1>? <S2> Marca el turno.", p).flags)).toEqual(["placeholder-missing"]);
  });

  it("flags text before the first placeholder and a part that came back empty", () => {
    const p = toPlaceholderText(threeTurns.slice(0, 2));
    const preface = restoreConversation("Here is the translation:\n<S1> Hola.\n\n<S2> ¡Hola!", p);
    expect(codes(preface.flags)).toEqual(["text-outside-turns"]);
    expect(preface.flags[0]!.message).toContain("Here is the translation:");
    const empty = restoreConversation("<S1> Hola.\n\n<S2>  ", p);
    expect(codes(empty.flags)).toEqual(["empty-turn"]);
    expect(empty.flags[0]!.message).toContain("assistant part after <S2>");
  });

  it("reports a lost and a repeated placeholder together", () => {
    const p = toPlaceholderText(threeTurns);
    const restored = restoreConversation("<S1> Hola. <S1> ¡Hola! <S1> Adiós. <S2> ¡Adiós!", p);
    expect(codes(restored.flags)).toEqual(["placeholder-missing", "placeholder-duplicated"]);
  });
});
