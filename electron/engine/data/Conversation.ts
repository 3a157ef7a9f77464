/** One training example in a format-neutral shape: turns of a conversation, the last answered by the assistant. */
export interface Turn {
  role: "system" | "user" | "assistant";
  content: string;
  /** Alpaca's separate "input" field, kept apart so the Alpaca prompt can show it in its own section. */
  input?: string;
}

export interface Conversation {
  turns: Turn[];
  /** Where the example came from: file and 1-based line, for error messages. */
  source: { file: string; line: number };
  /** Optional language label and provenance carried through from the data file. */
  lang?: string;
  provenance?: string;
}
