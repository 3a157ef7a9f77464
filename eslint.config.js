// Lint, and the layer rules that keep each process's code where it can run (see docs/ARCHITECTURE.md).
import js from "@eslint/js";
import { builtinModules } from "node:module";
import globals from "globals";
import tseslint from "typescript-eslint";

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const noNode = { paths: nodeBuiltins.map((name) => ({ name, message: "This layer runs without Node: keep Node APIs in electron/engine." })), patterns: [{ group: ["node:*"], message: "No Node APIs in this layer." }] };
const noElectron = { name: "electron", message: "Only electron/main and electron/preload may import Electron." };

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
  {
    files: ["electron/engine/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [noElectron], patterns: [{ group: ["../main/*", "../../main/*", "../preload/*", "../../preload/*", "../server/*", "../cli/*", "**/renderer/**"], message: "The engine is used by the shells, never the other way round." }] }],
    },
  },
  {
    files: ["electron/cli/**/*.ts", "electron/server/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [noElectron], patterns: [{ group: ["../main/*", "../preload/*", "**/renderer/**"], message: "CLI and server run under plain Node." }] }],
    },
  },
  {
    files: ["renderer/src/**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      "no-restricted-imports": ["error", { paths: [noElectron, ...noNode.paths], patterns: [...noNode.patterns, { group: ["**/electron/engine/**", "**/electron/main/**", "**/electron/preload/**", "**/electron/server/**", "**/electron/cli/**"], message: "The renderer talks to the engine only through the contract (electron/shared)." }] }],
    },
  },
);
