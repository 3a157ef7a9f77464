// Upstream llama.cpp decoding paths for bench/decode.mjs, built from the exact llama.cpp release
// node-llama-cpp ships (as bench/upstreamFinetune.mjs builds llama-finetune): `llama-server` driven
// over HTTP at a given parallelism, and `greedyLoop` (bench/greedyLoop.cpp), a plain C greedy loop
// linked against the same static libllama. Everything works offline: the source comes from
// node-llama-cpp's git bundle, and the server's web UI, which the build would otherwise fetch or
// build with npm, is left out. See bench/README.md.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { onPath, runCommand } from "./upstreamFinetune.mjs";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const exe = process.platform === "win32" ? ".exe" : "";

/** The flags of bench/upstreamFinetune.mjs, with the tools and the server turned on and the web UI off. */
const cmakeFlags = [
  "-DCMAKE_BUILD_TYPE=Release",
  "-DBUILD_SHARED_LIBS=OFF", // static libllama, so greedyLoop links without rpath games
  "-DGGML_NATIVE=ON",
  "-DGGML_BACKEND_DL=OFF",
  "-DGGML_CPU=ON",
  "-DGGML_BLAS=OFF",
  "-DGGML_METAL=OFF",
  "-DGGML_CUDA=OFF",
  "-DGGML_VULKAN=OFF",
  "-DGGML_CCACHE=OFF",
  "-DLLAMA_OPENSSL=OFF",
  "-DLLAMA_BUILD_COMMON=ON",
  "-DLLAMA_BUILD_EXAMPLES=OFF",
  "-DLLAMA_BUILD_TESTS=OFF",
  "-DLLAMA_BUILD_TOOLS=ON", // the server lives in tools/server
  "-DLLAMA_BUILD_SERVER=ON",
  "-DLLAMA_BUILD_APP=OFF",
  // No web UI: building it runs `npm ci`, and the prebuilt one is downloaded from Hugging Face.
  "-DLLAMA_BUILD_UI=OFF",
  "-DLLAMA_USE_PREBUILT_UI=OFF",
];
/** Static libraries greedyLoop links against, in link order, relative to the build folder. */
const staticLibs = ["src/libllama.a", "ggml/src/libggml.a", "ggml/src/libggml-cpu.a", "ggml/src/libggml-base.a"];

/** @typedef {(line: string) => void} Log */

async function llamaCppSource() {
  const js = join(repoRoot, "dist/electron/engine/llamacpp/llamaCppSource.js");
  if (!existsSync(js)) throw new Error("dist/ is missing: run `npm run build:ts` first.");
  const { ensureLlamaCppSource } = await import(pathToFileURL(js).href);
  return /** @type {{ tag: string, dir: string }} */ (await ensureLlamaCppSource());
}

/**
 * Builds libllama (and, unless `server` is false, llama-server) once per llama.cpp release, then
 * compiles bench/greedyLoop.cpp against the same static libraries (again whenever the .cpp is newer).
 * @param {{ cacheDir?: string, jobs?: number, server?: boolean, log?: Log }} [options]
 *   cacheDir: the CMake build folder (default node_modules/.cache/polytune/llama-server-<tag>);
 *   server: false builds only what greedyLoop needs (minutes instead of about half an hour on 2 cores)
 * @returns {Promise<{ tag: string, buildDir: string, server: string | null, greedyLoop: string }>}
 */
export async function buildUpstreamDecoders({ cacheDir, jobs = Math.min(2, availableParallelism()), server = true, log = () => {} } = {}) {
  const source = await llamaCppSource();
  const buildDir = resolve(cacheDir ?? join(repoRoot, "node_modules/.cache/polytune", `llama-server-${source.tag}`));
  const bin = (/** @type {string} */ name) => join(buildDir, "bin", `${name}${exe}`);
  const libsBuilt = staticLibs.every((l) => existsSync(join(buildDir, l)));
  const targets = [...(libsBuilt ? [] : ["llama"]), ...(server && !existsSync(bin("llama-server")) ? ["llama-server"] : [])];
  if (targets.length > 0) {
    if (!onPath("cmake")) throw new Error("Building llama-server needs `cmake` on the PATH; it was not found.");
    mkdirSync(buildDir, { recursive: true });
    const started = performance.now();
    const generator = onPath("ninja") ? ["-G", "Ninja"] : [];
    log(`llama.cpp ${source.tag}: configuring in ${buildDir}`);
    const configure = await runCommand("cmake", ["-S", source.dir, "-B", buildDir, ...generator, ...cmakeFlags]);
    if (configure.code !== 0) throw new Error(`cmake configure of llama.cpp ${source.tag} failed (exit ${configure.code}):\n${configure.tail.join("\n")}`);
    log(`llama.cpp ${source.tag}: building ${targets.join(", ")} with ${jobs} jobs (llama-server: about half an hour on 2 shared cores)`);
    let lastReport = 0;
    const build = await runCommand("cmake", ["--build", buildDir, "--target", ...targets, "--parallel", String(jobs)], {
      onLine: (line) => {
        const now = performance.now();
        if (/^\[\s*\d+(\/\d+|%)/.test(line) && now - lastReport > 15_000) {
          lastReport = now;
          log(`  ${line.slice(0, 120)}`);
        }
      },
    });
    if (build.code !== 0) throw new Error(`Building ${targets.join(", ")} from llama.cpp ${source.tag} failed (exit ${build.code}):\n${build.tail.join("\n")}`);
    log(`llama.cpp ${source.tag}: built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }

  const cpp = join(repoRoot, "bench/greedyLoop.cpp");
  const greedyLoop = bin("polytune-greedy-loop");
  if (!existsSync(greedyLoop) || statSync(greedyLoop).mtimeMs < statSync(cpp).mtimeMs) {
    const cxx = process.env.CXX ?? "c++";
    log(`compiling bench/greedyLoop.cpp against ${buildDir}`);
    const args = [
      "-O2", "-std=c++17",
      "-I", join(source.dir, "include"), "-I", join(source.dir, "ggml/include"),
      cpp, ...staticLibs.map((l) => join(buildDir, l)),
      // The CPU backend is built with OpenMP when the compiler has it (ggml's default).
      "-fopenmp", "-lpthread", "-ldl", "-lm",
      "-o", greedyLoop,
    ];
    const compiled = await runCommand(cxx, args);
    if (compiled.code !== 0) throw new Error(`Compiling bench/greedyLoop.cpp failed (exit ${compiled.code}):\n${compiled.tail.join("\n")}`);
  }
  return { tag: source.tag, buildDir, server: server ? bin("llama-server") : null, greedyLoop };
}

/**
 * Runs greedyLoop on pre-tokenized prompts.
 * @param {{ binary: string, model: string, prompts: number[][], workDir: string, maxTokens: number,
 *   parallel: number, threads: number, contextSize: number, repeatPenalty: number, repeatLastN: number }} o
 * @returns {Promise<{ outputs: number[][], tokens: number, seconds: number, cpuSeconds: number }>}
 *   seconds: wall time from context creation to the last token, measured inside the process;
 *   cpuSeconds: the process's CPU time (all threads) over the same span
 */
export async function runGreedyLoop(o) {
  const file = join(o.workDir, `prompts-${process.pid}.txt`);
  writeFileSync(file, o.prompts.map((p) => p.join(" ")).join("\n") + "\n");
  const args = [o.model, file, o.maxTokens, o.parallel, o.threads, o.contextSize, o.repeatPenalty, o.repeatLastN].map(String);
  const out = spawnSync(o.binary, args, { encoding: "utf8", maxBuffer: 64 << 20 });
  if (out.status !== 0) throw new Error(`greedyLoop failed (exit ${out.status}): ${out.stderr.trim()}`);
  return JSON.parse(out.stdout);
}

/** @returns {Promise<number>} a free TCP port on 127.0.0.1 */
function freePort() {
  return new Promise((resolvePromise, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolvePromise(port));
    });
  });
}

/**
 * Starts llama-server with `parallel` slots of `contextSize` tokens each and waits until /health says ok.
 * Flash attention is off and the host prompt cache is 0, as in Polytune's contexts and greedyLoop.
 * @param {{ binary: string, model: string, parallel: number, contextSize: number, threads: number, timeoutMs?: number }} o
 * @returns {Promise<{ url: string, stop: () => Promise<void>, logTail: () => string, cpuSeconds: () => number | null }>}
 *   cpuSeconds: the server process's CPU time so far (user + system, all threads), from /proc; null
 *   where there is no /proc
 */
export async function startLlamaServer({ binary, model, parallel, contextSize, threads, timeoutMs = 60_000 }) {
  const port = await freePort();
  const args = [
    "-m", model, "--host", "127.0.0.1", "--port", String(port),
    "--parallel", String(parallel), "-c", String(contextSize * parallel), "--cont-batching",
    "-t", String(threads), "-tb", String(threads), "-ngl", "0",
    "-fa", "off", "--cache-ram", "0", "--no-webui",
  ];
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  /** @type {string[]} */
  const tail = [];
  const keep = (/** @type {Buffer} */ b) => {
    tail.push(...b.toString("utf8").split("\n"));
    tail.splice(0, Math.max(0, tail.length - 30));
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise((r) => child.on("exit", r));
  const url = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llama-server exited with ${child.exitCode}:\n${tail.join("\n")}`);
    try {
      const health = await fetch(`${url}/health`);
      if (health.ok) break;
    } catch {
      // Not listening yet.
    }
    if (performance.now() > deadline) {
      child.kill();
      throw new Error(`llama-server did not become ready in ${timeoutMs} ms:\n${tail.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid;
  return {
    url,
    cpuSeconds: () => procCpuSeconds(pid),
    logTail: () => tail.join("\n"),
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * @param {number | undefined} pid
 * @returns {number | null} utime + stime of a process, in seconds (Linux /proc; clock ticks of 10 ms)
 */
function procCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * Sends every prompt to /completion with `parallel` requests in flight (each client worker sends the
 * next prompt when its response arrives, as BatchedDecoder's sequences take the next prompt), greedy.
 * @param {{ url: string, prompts: number[][], parallel: number, maxTokens: number, repeatPenalty: number, repeatLastN: number }} o
 * @returns {Promise<{ outputs: number[][], texts: string[], tokens: number, seconds: number, serverPredictedSeconds: number }>}
 *   seconds: wall time from the first request to the last response; serverPredictedSeconds: the sum
 *   of the server's own `timings.predicted_ms`, for reference
 */
export async function completeConcurrently({ url, prompts, parallel, maxTokens, repeatPenalty, repeatLastN }) {
  /** @type {number[][]} */
  const outputs = new Array(prompts.length);
  /** @type {string[]} */
  const texts = new Array(prompts.length);
  let predictedMs = 0;
  let next = 0;
  const worker = async () => {
    while (next < prompts.length) {
      const i = next++;
      const response = await fetch(`${url}/completion`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          prompt: prompts[i],
          n_predict: maxTokens,
          temperature: 0,
          repeat_penalty: repeatPenalty,
          repeat_last_n: repeatLastN,
          cache_prompt: false,
          return_tokens: true,
          stream: false,
        }),
      });
      if (!response.ok) throw new Error(`llama-server /completion answered ${response.status}: ${await response.text()}`);
      const body = await response.json();
      // With return_tokens the server lists the end-of-generation token too; the other paths do not count it.
      outputs[i] = body.stop_type === "eos" ? body.tokens.slice(0, -1) : body.tokens;
      texts[i] = body.content;
      predictedMs += body.timings?.predicted_ms ?? 0;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(parallel, prompts.length) }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { outputs, texts, tokens: outputs.reduce((s, t) => s + t.length, 0), seconds, serverPredictedSeconds: predictedMs / 1000 };
}
