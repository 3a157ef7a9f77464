import { createHash } from "node:crypto";
import { closeSync, createReadStream, fstatSync, openSync, readSync, statSync } from "node:fs";

const SAMPLE = 64 * 1024;

/**
 * A fast content fingerprint: size plus five 64 KiB samples spread over the file. It notices edits
 * and replacements of multi-gigabyte models in milliseconds; the full SHA-256 is computed on demand.
 */
export function fastFingerprint(path: string): string {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const hash = createHash("sha256");
    hash.update(`polytune-fp1:${size}:`);
    if (size <= SAMPLE * 5) {
      const whole = Buffer.alloc(size);
      readSync(fd, whole, 0, size, 0);
      hash.update(whole);
    } else {
      const buf = Buffer.alloc(SAMPLE);
      for (const f of [0, 0.25, 0.5, 0.75, 1]) {
        const n = readSync(fd, buf, 0, SAMPLE, Math.floor((size - SAMPLE) * f));
        hash.update(buf.subarray(0, n));
      }
    }
    return `fp1:${hash.digest("hex").slice(0, 32)}`;
  } finally {
    closeSync(fd);
  }
}

/** Full SHA-256 of a file, streaming, with progress in bytes. */
export function sha256File(path: string, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    let total: number;
    try {
      total = statSync(path).size;
    } catch (error) {
      reject(error);
      return;
    }
    const hash = createHash("sha256");
    let done = 0;
    let lastReport = 0;
    const stream = createReadStream(path, { highWaterMark: 4 << 20, signal });
    stream.on("data", (chunk) => {
      const b = chunk as Buffer;
      hash.update(b);
      done += b.length;
      if (onProgress && (done - lastReport > 64 << 20 || done === total)) {
        lastReport = done;
        onProgress(done, total);
      }
    });
    stream.on("error", reject);
    stream.on("end", () => resolve(hash.digest("hex")));
  });
}
