// Builds the trainer addon offline: checks out node-llama-cpp's llama.cpp release from its git bundle
// (for the ggml and llama headers), then compiles with the machine's cmake and C++ compiler against
// node-addon-api and links the prebuilt ggml and llama libraries of the matching @node-llama-cpp package.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(join(root, "package.json"));

// Without the trainer everything but training still works, so a machine without cmake or a compiler
// gets a warning and a working install (`--optional`, as `npm ci` runs it); CI (CI=true) and
// `npm run build:native` fail instead.
const strict = process.env.CI === "true" || !process.argv.includes("--optional");
function fail(message) {
  console.error(`build-native: ${message}`);
  if (!strict) {
    console.error("build-native: continuing without the LoRA trainer; install cmake and a C++ compiler, then run `npm run build:native`.");
    process.exit(0);
  }
  process.exit(1);
}

let nlcDir = dirname(require.resolve("node-llama-cpp"));
while (!existsSync(join(nlcDir, "llama", "llama.cpp.info.json"))) {
  const up = dirname(nlcDir);
  if (up === nlcDir) fail("node-llama-cpp is not installed; run `npm ci`.");
  nlcDir = up;
}
const { tag } = JSON.parse(readFileSync(join(nlcDir, "llama", "llama.cpp.info.json"), "utf8"));
const cache = join(nlcDir, "..", ".cache", "polytune");
const source = join(cache, `llama.cpp-${tag}`);
if (!existsSync(join(source, "ggml", "include", "ggml.h"))) {
  mkdirSync(cache, { recursive: true });
  const tmp = `${source}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  execFileSync("git", ["clone", "-q", "-c", "advice.detachedHead=false", "--no-hardlinks", join(nlcDir, "llama", "gitRelease.bundle"), tmp], { stdio: "inherit" });
  if (!existsSync(source)) renameSync(tmp, source);
  else rmSync(tmp, { recursive: true, force: true });
}

// The prebuilt CPU package of this platform (the GPU packages carry the same ggml-base ABI).
const platformPackage = { "linux-x64": "linux-x64", "linux-arm64": "linux-arm64", "darwin-arm64": "mac-arm64-metal", "darwin-x64": "mac-x64", "win32-x64": "win-x64" }[`${process.platform}-${process.arch}`];
if (!platformPackage) fail(`no prebuilt ggml for ${process.platform}-${process.arch}`);
const binsRoot = join(dirname(nlcDir), "@node-llama-cpp", platformPackage, "bins");
if (!existsSync(binsRoot)) fail(`@node-llama-cpp/${platformPackage} is not installed; run \`npm ci\`.`);
const binsDir = join(binsRoot, readdirSync(binsRoot).find((d) => existsSync(join(binsRoot, d, "_nlcBuildMetadata.json"))) ?? "");
const libs = readdirSync(binsDir);
const baseLib = libs.find((f) => /^libggml-base\.(so|dylib)$/.test(f));
const ggmlLib = libs.find((f) => /^libggml(\.v[\d.]+)?\.(so|dylib)$/.test(f));
// libllama: the batched decoder calls llama.cpp's C API, the same library node-llama-cpp loads.
const llamaLib = libs.find((f) => /^libllama(\.v[\d.]+)?\.(so|dylib)$/.test(f));
if (!baseLib || !ggmlLib) fail(`no ggml libraries in ${binsDir}`);
if (!llamaLib) fail(`no llama library in ${binsDir}`);

const build = join(root, "native", "build");
mkdirSync(build, { recursive: true });
const defs = {
  NODE_ADDON_API_DIR: require("node-addon-api").include_dir.replace(/^node_modules/, join(root, "node_modules")),
  NODE_API_HEADERS_DIR: require("node-api-headers").include_dir,
  GGML_INCLUDE_DIR: join(source, "ggml", "include"),
  LLAMA_INCLUDE_DIR: join(source, "include"),
  GGML_LIB_DIR: binsDir,
  GGML_BASE_LIB: join(binsDir, baseLib),
  GGML_LIB: join(binsDir, ggmlLib),
  LLAMA_LIB: join(binsDir, llamaLib),
};
const started = Date.now();
try {
  execFileSync("cmake", ["--version"], { stdio: "ignore" });
} catch {
  fail("cmake is not installed.");
}
try {
  execFileSync("cmake", ["-S", join(root, "native"), "-B", build, "-DCMAKE_BUILD_TYPE=Release", ...Object.entries(defs).map(([k, v]) => `-D${k}=${v}`)], { stdio: ["ignore", "ignore", "inherit"] });
  execFileSync("cmake", ["--build", build, "--config", "Release", "-j", String(Math.max(1, cpus().length))], { stdio: "inherit" });
} catch (error) {
  fail(`compiling the trainer failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
}
console.log(`build-native: native/build/Release/polytune_trainer.node (${((Date.now() - started) / 1000).toFixed(1)} s)`);
