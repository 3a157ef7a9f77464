import { describe, expect, it } from "vitest";
import { appEntryUrl, appOrigin, externalUrlToOpen, isAppUrl, navigationDecision } from "../../../electron/main/appUrl.js";
import { parseHomeArgument } from "../../../electron/main/parseHomeArgument.js";
import { isPermissionAllowed } from "../../../electron/main/permissionPolicy.js";

describe("app:// origin", () => {
  it("accepts only app://polytune", () => {
    expect(appOrigin).toBe("app://polytune");
    expect(isAppUrl(appEntryUrl)).toBe(true);
    expect(isAppUrl("app://polytune/assets/index.js?x=1#/runs")).toBe(true);
    for (const url of [
      "app://other/index.html",
      "app://polytune.evil.com/index.html",
      "app://user:pw@polytune/index.html",
      "app://polytune:8080/index.html",
      "https://polytune/index.html",
      "file:///etc/passwd",
      "javascript:alert(1)",
      "not a url",
      "",
    ]) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });
});

describe("openExternal allow-list", () => {
  it("opens http(s) only, normalised by URL parsing", () => {
    expect(externalUrlToOpen("https://arxiv.org/abs/2404.00001")).toBe("https://arxiv.org/abs/2404.00001");
    expect(externalUrlToOpen("HTTP://Example.COM")).toBe("http://example.com/");
  });
  it("refuses every other scheme, credentials and garbage", () => {
    for (const url of [
      "file:///C:/Windows/System32/calc.exe",
      "javascript:alert(1)",
      "smb://server/share",
      "ms-msdt:/id PCWDiagnostic",
      "data:text/html,<script>1</script>",
      "app://polytune/index.html",
      "https://accounts.example.com@evil.example/",
      "https://user:pw@example.com/",
      "http//missing-colon",
      "   ",
    ]) {
      expect(externalUrlToOpen(url), url).toBeNull();
    }
  });
});

describe("navigation allow-list", () => {
  it("stays on app://, sends http(s) to the OS browser, blocks the rest", () => {
    expect(navigationDecision("app://polytune/index.html#/models")).toEqual({ action: "allow" });
    expect(navigationDecision("https://example.com/a")).toEqual({ action: "open-external", url: "https://example.com/a" });
    expect(navigationDecision("file:///home/me/model.gguf")).toEqual({ action: "block" });
    expect(navigationDecision("app://elsewhere/")).toEqual({ action: "block" });
    expect(navigationDecision("chrome://gpu")).toEqual({ action: "block" });
  });
});

describe("permissions", () => {
  it("grants clipboard writes and full screen to our pages only", () => {
    expect(isPermissionAllowed("clipboard-sanitized-write", "app://polytune/index.html")).toBe(true);
    expect(isPermissionAllowed("clipboard-sanitized-write", "app://polytune")).toBe(true);
    expect(isPermissionAllowed("clipboard-sanitized-write", "https://example.com/")).toBe(false);
    for (const p of ["media", "geolocation", "notifications", "openExternal", "clipboard-read", "hid", "serial"]) {
      expect(isPermissionAllowed(p, "app://polytune/index.html"), p).toBe(false);
    }
  });
});

describe("--home", () => {
  it("reads both spellings among Electron's own switches", () => {
    expect(parseHomeArgument(["/usr/bin/electron", ".", "--home", "/data/p"])).toBe("/data/p");
    expect(parseHomeArgument(["polytune", "--no-sandbox", "--home=/data/q"])).toBe("/data/q");
    expect(parseHomeArgument(["polytune", "--home"])).toBeUndefined();
    expect(parseHomeArgument(["polytune", "--home", "--inspect"])).toBeUndefined();
    expect(parseHomeArgument(["polytune"])).toBeUndefined();
  });
});
