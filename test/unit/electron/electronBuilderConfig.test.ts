// The packaged app's security settings live in electron-builder.yml; this reads the file as
// electron-builder does (YAML) and checks each fuse and what is unpacked from the archive.
import { readFileSync } from "node:fs";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";

interface BuilderConfig {
  asar?: boolean;
  asarUnpack?: string[];
  files?: string[];
  electronFuses?: Record<string, boolean>;
}

const config = load(readFileSync("electron-builder.yml", "utf8")) as BuilderConfig;

describe("electron-builder.yml", () => {
  it("sets every fuse the desktop app relies on", () => {
    expect(config.electronFuses).toEqual({
      // Training processes are utility processes, so nothing needs ELECTRON_RUN_AS_NODE.
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
  it("packs the app in an asar archive and unpacks the native code the trainer loads", () => {
    expect(config.asar).toBe(true);
    expect(config.files).toContain("native/build/Release/*.node");
    expect(config.asarUnpack).toEqual(expect.arrayContaining(["**/*.node", "native/build/Release/**", "node_modules/@node-llama-cpp/**", "node_modules/node-llama-cpp/bins/**"]));
  });
  it("ships the demo data and unpacks the language identifier's model for the import worker", () => {
    expect(config.files).toContain("assets/**/*");
    expect(config.asarUnpack).toContain("node_modules/fasttext.wasm.js/dist/**");
  });
});
