// Lint, and the layer rules that keep each process's code where it can run (see docs/ARCHITECTURE.md).
import js from "@eslint/js";
import { builtinModules } from "node:module";
import globals from "globals";
import tseslint from "typescript-eslint";

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const noNode = { paths: nodeBuiltins.map((name) => ({ name, message: "This layer runs without Node: keep Node APIs in electron/engine." })), patterns: [{ group: ["node:*"], message: "No Node APIs in this layer." }] };
const noElectron = { name: "electron", message: "Only electron/main and electron/preload may import Electron." };
const noRenderer = { group: ["**/renderer/**"], message: "The renderer is a web page, loaded by the shells, never imported." };
const engineIsUsed = { regex: "^(\\.\\./)+(main|preload|server|cli)/|/renderer/", message: "The engine is used by the shells, never the other way round." };
const shellsUseEngineRoot = { regex: "^(\\.\\./)+engine/[^/]+/", message: "The shells use the engine through its root (createEngine, Engine) and the contract." };

// The engine's folders, lowest layer first. A folder imports from lower layers only; folders of one
// layer do not import each other.
const engineLayers = [
  ["db", "gguf", "home", "files", "random", "data", "runs", "install", "langid"],
  ["llamacpp", "datasets"],
  ["infer", "models", "mixes"],
  ["train", "translate"],
  ["eval", "system"],
  ["compare"],
  ["experiments"],
];
const forbiddenFolders = (layer, level, folder) => [...layer.filter((f) => f !== folder), ...engineLayers.slice(level + 1).flat()];

export default tseslint.config(
  { ignores: ["dist/**", "release/**", "node_modules/**", "native/build/**", "test/e2e/__screenshots__/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["electron/shared/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [noElectron, ...noNode.paths], patterns: [...noNode.patterns, { group: ["../engine/*", "../main/*", "../preload/*", "../server/*", "../cli/*"], message: "The contract imports nothing from the sides that use it." }] }],
    },
  },
  // The engine's root (createEngine, Engine) composes the folders; every folder imports only lower layers.
  {
    files: ["electron/engine/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: [noElectron], patterns: [engineIsUsed] }] },
  },
  ...engineLayers.flatMap((layer, level) =>
    layer.map((folder) => ({
      files: [`electron/engine/${folder}/**/*.ts`],
      rules: {
        "no-restricted-imports": ["error", {
          paths: [noElectron],
          patterns: [
            engineIsUsed,
            { regex: `^(\\.\\./)+(createEngine|Engine)(\\.js)?$`, message: "Engine folders do not import the engine's root, which composes them." },
            ...forbiddenFolders(layer, level, folder).map((other) => ({ regex: `^(\\.\\./)+${other}/`, message: `electron/engine/${folder} is below electron/engine/${other} (see Layers in docs/ARCHITECTURE.md).` })),
          ],
        }],
      },
    })),
  ),
  {
    files: ["electron/cli/**/*.ts"],
    rules: {
      // The CLI is a carrier like the others: every action is a contract call, never the engine's parts.
      "no-restricted-syntax": ["error", { selector: "MemberExpression[object.name='engine'][property.name=/^(db|models|runs|jobs|runner|layout)$/]", message: "The CLI uses the engine through contract calls (engine.call / engine.dispatch)." }],
      "no-restricted-imports": ["error", { paths: [noElectron], patterns: [shellsUseEngineRoot, { regex: "^(\\.\\./)+(main|preload)/", message: "The CLI runs under plain Node." }, noRenderer] }],
    },
  },
  {
    files: ["electron/server/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: [noElectron], patterns: [shellsUseEngineRoot, { regex: "^(\\.\\./)+(main|preload|cli)/", message: "The server runs under plain Node and is started by the CLI, never the other way round." }, noRenderer] }] },
  },
  {
    files: ["electron/main/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [shellsUseEngineRoot, { regex: "^(\\.\\./)+(cli|preload)/", message: "The main process carries calls to the engine; the CLI and the preload are other processes." }, noRenderer] }] },
  },
  {
    // The preload runs sandboxed: Electron's renderer-side modules and the contract only.
    files: ["electron/preload/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: noNode.paths, patterns: [...noNode.patterns, { regex: "^(\\.\\./)+(engine|main|server|cli)/", message: "The sandboxed preload knows only Electron's IPC and the contract." }, noRenderer] }] },
  },
  {
    files: ["renderer/src/**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      "no-restricted-imports": ["error", { paths: [noElectron, ...noNode.paths], patterns: [...noNode.patterns, { group: ["**/electron/engine/**", "**/electron/main/**", "**/electron/preload/**", "**/electron/server/**", "**/electron/cli/**"], message: "The renderer talks to the engine only through the contract (electron/shared)." }] }],
    },
  },
);
