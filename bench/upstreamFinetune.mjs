// Builds and runs upstream llama.cpp's own full fine-tuning tool, `llama-finetune`, from the exact
// llama.cpp release node-llama-cpp ships, so bench/train.mjs can put our LoRA trainer's throughput
// next to upstream's on the same model, tokens and thread count. Everything works offline: the source
// comes from node-llama-cpp's git bundle and the build fetches nothing.
//
// Standalone: node bench/upstreamFinetune.mjs --model M.gguf --text T.txt [--ctx 256] [--threads 2]
// (also --ubatch, --epochs, --lr, --jobs); prints the result as JSON. See bench/README.md.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const exe = process.platform === "win32" ? ".exe" : "";

/**
 * Options that keep the build to one small, CPU-only, offline target. Checked against this
 * release's CMakeLists: LLAMA_CURL is deprecated and ignored (downloads go through the vendored
 * cpp-httplib, which cannot be left out of llama-common), so only its OpenSSL link is turned off.
 * Examples must stay on because the training example lives in examples/training.
 */
const cmakeFlags = [
  "-DCMAKE_BUILD_TYPE=Release",
  "-DBUILD_SHARED_LIBS=OFF", // one self-contained binary, no rpath games
  "-DGGML_NATIVE=ON", // -march=native, the fairest CPU comparison
  "-DGGML_BACKEND_DL=OFF",
  "-DGGML_CPU=ON",
  "-DGGML_BLAS=OFF", // ON by default on macOS (Accelerate); keep ggml's own CPU kernels everywhere
  "-DGGML_METAL=OFF",
  "-DGGML_CUDA=OFF",
  "-DGGML_VULKAN=OFF",
  "-DGGML_CCACHE=OFF",
  "-DLLAMA_OPENSSL=OFF",
  "-DLLAMA_BUILD_COMMON=ON",
  "-DLLAMA_BUILD_EXAMPLES=ON",
  "-DLLAMA_BUILD_TESTS=OFF",
  "-DLLAMA_BUILD_TOOLS=OFF",
  "-DLLAMA_BUILD_SERVER=OFF",
  "-DLLAMA_BUILD_APP=OFF",
];
const target = "llama-finetune"; // examples/training/CMakeLists.txt

/** @typedef {(line: string) => void} Log */

/**
 * Runs a command and resolves with its exit code and the last lines of its combined output (also
 * bench/upstreamLlamaServer.mjs's runner).
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, onLine?: (line: string, at: number) => void, keep?: number }} [options]
 * @returns {Promise<{ code: number | null, tail: string[] }>}
 */
export function runCommand(cmd, args, { cwd, onLine, keep = 40 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    /** @type {string[]} */
    const tail = [];
    /** @param {NodeJS.ReadableStream} stream */
    const split = (stream) => {
      let pending = "";
      stream.setEncoding("utf8");
      stream.on("data", (/** @type {string} */ chunk) => {
        // Time each line on arrival: llama-finetune's own timer only has 1 s resolution.
        const at = performance.now();
        // \r too, because the training progress bar rewrites one line with carriage returns.
        const parts = (pending + chunk).split(/\r\n|\r|\n/);
        pending = parts.pop() ?? "";
        for (const line of parts) {
          if (line === "") continue;
          tail.push(line);
          if (tail.length > keep) tail.shift();
          onLine?.(line, at);
        }
      });
      stream.on("end", () => {
        if (pending !== "") {
          tail.push(pending);
          onLine?.(pending, performance.now());
        }
      });
    };
    split(child.stdout);
    split(child.stderr);
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, tail }));
  });
}

/** @param {string} cmd */
export function onPath(cmd) {
  const probe = spawnSync(cmd, ["--version"], { stdio: "ignore" });
  return !probe.error;
}

/** Loads the compiled llamaCppSource module, compiling the TypeScript first if dist/ lacks it or is older. */
async function loadSourceModule() {
  const js = join(repoRoot, "dist/electron/engine/llamacpp/llamaCppSource.js");
  const ts = join(repoRoot, "electron/engine/llamacpp/llamaCppSource.ts");
  if (!existsSync(js) || statSync(js).mtimeMs < statSync(ts).mtimeMs) {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const { code, tail } = await runCommand(npm, ["run", "build:ts"], { cwd: repoRoot });
    if (code !== 0 && !existsSync(js)) throw new Error(`npm run build:ts failed:\n${tail.join("\n")}`);
  }
  return /** @type {typeof import("../dist/electron/engine/llamacpp/llamaCppSource.js")} */ (await import(pathToFileURL(js).href));
}

/**
 * Builds `llama-finetune` once per llama.cpp release and returns the binary's absolute path.
 * @param {{ cacheDir?: string, jobs?: number, log?: Log }} [options]
 *   cacheDir: the CMake build folder (default node_modules/.cache/polytune/llama-finetune-<tag>)
 * @returns {Promise<string>}
 */
export async function buildLlamaFinetune({ cacheDir, jobs = availableParallelism(), log = () => {} } = {}) {
  const { ensureLlamaCppSource } = await loadSourceModule();
  const source = await ensureLlamaCppSource();
  const buildDir = resolve(cacheDir ?? join(repoRoot, "node_modules/.cache/polytune", `llama-finetune-${source.tag}`));
  const binary = join(buildDir, "bin", `${target}${exe}`);
  if (existsSync(binary)) {
    log(`llama-finetune ${source.tag}: reusing ${binary}`);
    return binary;
  }

  if (!onPath("cmake")) throw new Error("Building llama-finetune needs `cmake` on the PATH; it was not found.");
  const cxx = process.env.CXX ?? (process.platform === "win32" ? "cl" : "c++");
  if (process.platform !== "win32" && !onPath(cxx)) {
    throw new Error(`Building llama-finetune needs a C++ compiler; \`${cxx}\` was not found (install g++ or set CXX).`);
  }

  mkdirSync(buildDir, { recursive: true });
  const started = performance.now();
  // Ninja when present: it prints one "[n/m]" line per step, which doubles as a progress report.
  const generator = onPath("ninja") ? ["-G", "Ninja"] : [];
  log(`llama-finetune ${source.tag}: configuring in ${buildDir}`);
  const configure = await runCommand("cmake", ["-S", source.dir, "-B", buildDir, ...generator, ...cmakeFlags]);
  if (configure.code !== 0) {
    throw new Error(`cmake configure of llama.cpp ${source.tag} failed (exit ${configure.code}):\n${configure.tail.join("\n")}`);
  }

  log(`llama-finetune ${source.tag}: building target ${target} with ${jobs} jobs (several minutes)`);
  let lastReport = 0;
  const build = await runCommand("cmake", ["--build", buildDir, "--target", target, "--parallel", String(jobs)], {
    onLine: (line) => {
      // Throttle to one progress line every 10 s; a full log would be hundreds of lines.
      const now = performance.now();
      if (/^\[\s*\d+(\/\d+|%)/.test(line) && now - lastReport > 10_000) {
        lastReport = now;
        log(`  ${line.slice(0, 120)}`);
      }
    },
  });
  if (build.code !== 0 || !existsSync(binary)) {
    throw new Error(`Building ${target} from llama.cpp ${source.tag} failed (exit ${build.code}):\n${build.tail.join("\n")}`);
  }
  log(`llama-finetune ${source.tag}: built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return binary;
}

/**
 * One progress-bar update from ggml-opt (ggml_opt_epoch_callback_progress_bar), e.g.
 * `train: [▉       ] data=0000002/0000016 loss=12.51522±0.15346 acc=0.00±0.00% t=00:00:03 ETA=...`
 * printed after every ubatch (forward + backward, plus the AdamW step once per -b tokens).
 * `data` counts ubatches done in this epoch (the input tensor's ne[1] is 1); `loss` is the running
 * mean over the epoch so far, and `t` only has 1 s resolution, so we time arrivals ourselves.
 */
const progressLine = /^train:\s*\[.*\] data=(\d+)\/(\d+) loss=(\S+?)±/;

/**
 * Runs full fine-tuning with `llama-finetune` and measures its steady-state training throughput.
 * @param {{
 *   binary: string, model: string, textFile: string, ctx?: number, batch?: number, ubatch?: number,
 *   threads?: number, epochs?: number, lr?: number, extraArgs?: string[]
 * }} options
 * @returns {Promise<{ tokensPerSecond: number, tokens: number, seconds: number, lossFirst: number,
 *   lossLast: number, medianTokensPerSecond: number, ubatchesPerEpoch: number, stepSeconds: number[],
 *   stdoutTail: string }>}
 *   lossFirst/lossLast: the loss of the first and of the last ubatch (not running means);
 *   stepSeconds: wall time of each timed ubatch; medianTokensPerSecond uses their median, which
 *   shrugs off bursts from other processes on a small shared machine.
 */
export async function runLlamaFinetune({
  binary,
  model,
  textFile,
  ctx = 256,
  batch = ctx, // -b: tokens per optimizer step; must divide -c
  ubatch = batch, // -ub: tokens per graph; must divide -b
  threads = availableParallelism(),
  epochs = 1,
  // Low on purpose: with dynamic graphs ggml_opt_alloc only resets the gradient accumulators when
  // -b > -ub, so at -b == -ub every step applies the sum of all gradients so far and the loss
  // climbs back (badly at LR >= 3e-4). Throughput does not depend on the LR.
  lr = 1e-5,
  extraArgs = [],
}) {
  // The tool always saves the whole trained model at the end; keep it out of the caller's folders.
  const outDir = mkdtempSync(join(tmpdir(), "polytune-finetune-"));
  const args = [
    "-m", model,
    "-f", textFile,
    "-c", String(ctx),
    "-b", String(batch),
    "-ub", String(ubatch),
    "-t", String(threads),
    "-tb", String(threads),
    "-epochs", String(epochs),
    "-lr", String(lr),
    "-opt", "adamw",
    "-val-split", "0", // no validation pass inside the timed loop
    // No -ngl: the build has no GPU backend, and -ngl there only prints a warning.
    "-fa", "off", // FLASH_ATTN_EXT has no backward pass (llama_opt_init would turn it off anyway)
    "-fit", "off", // keep -c as given instead of letting it adapt to free memory
    "-o", join(outDir, "finetuned.gguf"),
    ...extraArgs,
  ];

  // Time the training loop by when progress lines arrive. The first line comes after the first
  // ubatch, so model load, tokenization, the warm-up decode, llama_opt_init and the first graph
  // allocation are all excluded, as is saving the model afterwards. Throughput is
  // (ubatches after the first) × ubatch tokens / (time from the first line to the last).
  /** @type {{ at: number, loss: number }[]} */
  const updates = [];
  let ubatchesPerEpoch = 0;
  let previousMean = 0;
  try {
    const { code, tail } = await runCommand(binary, args, {
      keep: 60,
      onLine: (line, at) => {
        const match = progressLine.exec(line);
        if (!match) return;
        const k = Number(match[1]);
        const mean = Number(match[3]);
        // Undo the running mean (it restarts at data=1 every epoch) to get this ubatch's own loss.
        updates.push({ at, loss: k === 1 ? mean : k * mean - (k - 1) * previousMean });
        previousMean = mean;
        ubatchesPerEpoch = Number(match[2]);
      },
    });
    const stdoutTail = tail.join("\n");
    if (code !== 0) throw new Error(`llama-finetune exited with ${code}:\n${stdoutTail}`);
    if (updates.length < 2) {
      throw new Error(
        `llama-finetune trained ${updates.length} ubatch(es); timing needs at least 2. Give it more than ` +
          `~${2 * ctx} tokens of text (its data points are ${ctx}-token windows at a stride of ${ctx / 2}).\n${stdoutTail}`,
      );
    }
    // opt_epoch splits each ctx-token window into ctx/ubatch ubatches; -b and -ub are capped at -c.
    const ubatchTokens = Math.min(ubatch, batch, ctx);
    const tokens = (updates.length - 1) * ubatchTokens;
    const seconds = (updates[updates.length - 1].at - updates[0].at) / 1000;
    const stepSeconds = updates.slice(1).map((u, i) => (u.at - updates[i].at) / 1000);
    const sorted = [...stepSeconds].sort((a, b) => a - b);
    const median = (sorted[(sorted.length - 1) >> 1] + sorted[sorted.length >> 1]) / 2;
    return {
      tokensPerSecond: tokens / seconds,
      tokens,
      seconds,
      lossFirst: updates[0].loss,
      lossLast: updates[updates.length - 1].loss,
      medianTokensPerSecond: ubatchTokens / median,
      ubatchesPerEpoch,
      stepSeconds,
      stdoutTail,
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      model: { type: "string" },
      text: { type: "string" },
      ctx: { type: "string", default: "256" },
      ubatch: { type: "string" },
      threads: { type: "string", default: String(availableParallelism()) },
      epochs: { type: "string", default: "1" },
      lr: { type: "string", default: "1e-5" },
      jobs: { type: "string" },
    },
  });
  if (!values.model || !values.text) {
    console.error("usage: node bench/upstreamFinetune.mjs --model M.gguf --text T.txt [--ctx 256] [--ubatch N] [--threads 2] [--epochs 1] [--lr 1e-5]");
    process.exit(2);
  }
  const log = (/** @type {string} */ line) => console.error(line);
  const binary = await buildLlamaFinetune({ jobs: values.jobs ? Number(values.jobs) : undefined, log });
  const { stdoutTail: _tail, ...result } = await runLlamaFinetune({
    binary,
    model: resolve(values.model),
    textFile: resolve(values.text),
    ctx: Number(values.ctx),
    ubatch: values.ubatch ? Number(values.ubatch) : undefined,
    threads: Number(values.threads),
    epochs: Number(values.epochs),
    lr: Number(values.lr),
  });
  console.log(JSON.stringify({ binary, ...result }, null, 2));
}
