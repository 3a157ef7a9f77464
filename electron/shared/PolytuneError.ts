import type { PolytuneErrorShape } from "./contract.js";

/** An error a person can act on: what happened (message), where (a file, a field), and what to do (hint). */
export class PolytuneError extends Error {
  readonly code: string;
  readonly where: string | undefined;
  readonly hint: string | undefined;
  readonly details: string | undefined;

  constructor(code: string, message: string, opts: { where?: string; hint?: string; details?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "PolytuneError";
    this.code = code;
    this.where = opts.where;
    this.hint = opts.hint;
    this.details = opts.details;
  }

  toShape(): PolytuneErrorShape {
    const shape: PolytuneErrorShape = { code: this.code, message: this.message };
    if (this.where !== undefined) shape.where = this.where;
    if (this.hint !== undefined) shape.hint = this.hint;
    if (this.details !== undefined) shape.details = this.details;
    return shape;
  }

  static fromShape(shape: PolytuneErrorShape): PolytuneError {
    return new PolytuneError(shape.code, shape.message, shape);
  }
}

/** Any thrown value as a shape fit to cross a process boundary; unknown errors keep their text as details. */
export function toErrorShape(error: unknown): PolytuneErrorShape {
  if (error instanceof PolytuneError) return error.toShape();
  if (error instanceof Error && error.name === "ZodError") {
    return { code: "invalid-input", message: "The request was not valid.", details: error.message };
  }
  const text = error instanceof Error ? error.message : String(error);
  return { code: "internal", message: text || "Unexpected error", details: error instanceof Error ? error.stack : undefined };
}

/** One line for a terminal: "where: message (hint)". */
export function formatErrorLine(shape: PolytuneErrorShape): string {
  const where = shape.where ? `${shape.where}: ` : "";
  const hint = shape.hint ? ` ${shape.hint}` : "";
  return `${where}${shape.message}${hint}`;
}
