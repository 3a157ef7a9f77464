import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { PolytuneErrorShape } from "../../shared/contract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { unpackedPath } from "../install/unpackedPath.js";
import { loadLanguageIdentifier, type LanguageGuess } from "../langid/loadLanguageIdentifier.js";

/** Import worker → identification thread: texts to label, answered in the same order. */
export interface IdentifyRequest {
  id: number;
  texts: string[];
}
export type IdentifyReply = { id: number; languages: string[]; confidences: Float64Array } | { id: number; error: PolytuneErrorShape };

/** Identification threads an import starts at most: lid.176 is small, but each thread holds its own copy. */
const maxThreads = 4;

/** Labels batches of texts, in threads or in this one; every label is lid.176's, as `LanguageIdentifier.identify` gives it. */
export interface LanguageLabeller {
  identify(texts: string[]): Promise<LanguageGuess[]>;
  /** Stops the threads (pending batches are rejected). */
  close(): Promise<void>;
}

/**
 * Identification for an import: beside it in `threads` worker threads (default: every core but the
 * one the import's own thread uses, at most 4), or in this thread when there is no core to spare or
 * the worker script is not there (a run from TypeScript sources).
 */
export async function openLanguageLabeller(threads = Math.min(maxThreads, availableParallelism() - 1), entry = unpackedPath(fileURLToPath(new URL("./identifyWorker.js", import.meta.url)))): Promise<LanguageLabeller> {
  if (threads < 1 || !existsSync(entry)) {
    const identifier = await loadLanguageIdentifier();
    return {
      identify: (texts) => Promise.resolve(texts.map((t) => identifier.identify(t))),
      close: () => Promise.resolve(),
    };
  }
  return new LanguagePool(threads, entry);
}

interface Pending {
  resolve: (guesses: LanguageGuess[]) => void;
  reject: (error: Error) => void;
}

class LanguagePool implements LanguageLabeller {
  private readonly workers: Array<{ worker: Worker; pending: Map<number, Pending> }> = [];
  private nextId = 0;
  private closed = false;

  constructor(threads: number, entry: string) {
    for (let i = 0; i < threads; i++) {
      const pending = new Map<number, Pending>();
      const worker = new Worker(entry);
      const failAll = (error: Error): void => {
        for (const p of pending.values()) p.reject(error);
        pending.clear();
      };
      worker.on("message", (reply: IdentifyReply) => {
        const p = pending.get(reply.id);
        if (!p) return;
        pending.delete(reply.id);
        if ("error" in reply) p.reject(PolytuneError.fromShape(reply.error));
        else p.resolve(reply.languages.map((language, j) => ({ language, confidence: reply.confidences[j] ?? 0 })));
      });
      worker.on("error", (error) => failAll(error));
      worker.on("exit", (code) => {
        if (!this.closed) failAll(new PolytuneError("langid-unavailable", `A language-identification thread stopped unexpectedly (exit code ${code}).`, { where: entry }));
      });
      this.workers.push({ worker, pending });
    }
  }

  identify(texts: string[]): Promise<LanguageGuess[]> {
    if (this.closed) return Promise.reject(new PolytuneError("internal", "The language-identification threads are closed."));
    // The least busy thread: batches are alike, so this spreads them evenly.
    const target = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise<LanguageGuess[]>((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      target.worker.postMessage({ id, texts } satisfies IdentifyRequest);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const stopped = new PolytuneError("internal", "The language-identification threads were stopped.");
    for (const { pending } of this.workers) for (const p of pending.values()) p.reject(stopped);
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }
}
