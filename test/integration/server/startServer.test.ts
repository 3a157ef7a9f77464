import { mkdirSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { ServerMessage } from "../../../electron/shared/contract.js";
import { PolytuneEngine } from "../../../electron/engine/createEngine.js";
import { startServer, type RunningServer } from "../../../electron/server/startServer.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir();
let engine: PolytuneEngine;
let server: RunningServer;

beforeAll(async () => {
  const ui = join(tmp.dir, "ui");
  mkdirSync(join(ui, "assets"), { recursive: true });
  writeFileSync(join(ui, "index.html"), "<!doctype html><title>Polytune</title>");
  writeFileSync(join(ui, "assets", "app.js"), "console.log(1)");
  writeFileSync(join(tmp.dir, "secret.txt"), "secret");
  engine = new PolytuneEngine({ home: join(tmp.dir, "home") });
  server = await startServer({ engine, port: 0, rendererDir: ui });
});

afterAll(async () => {
  await server.close();
  await engine.close();
  tmp.cleanup();
});

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, path, headers }, (res) => {
      let body = "";
      res.on("data", (c) => (body += String(c)));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

function connect(url: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

describe("polytune serve", () => {
  it("listens on loopback only and prints a tokenised URL", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  it("refuses requests without the token", async () => {
    expect((await get("/")).status).toBe(403);
    expect((await get("/?token=wrong")).status).toBe(403);
    expect((await get("/assets/app.js")).status).toBe(403);
  });

  it("serves the UI with the token, sets a strict cookie and CSP, then accepts the cookie", async () => {
    const res = await get(`/?token=${server.token}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain("Polytune");
    expect(res.headers["content-security-policy"]).toContain("default-src 'self'");
    const cookie = String(res.headers["set-cookie"]);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    const asset = await get("/assets/app.js", { cookie: cookie.split(";")[0]! });
    expect(asset.status).toBe(200);
    expect(asset.headers["content-type"]).toContain("javascript");
  });

  it("refuses a foreign Host header (DNS rebinding) and paths outside the UI folder", async () => {
    expect((await get(`/?token=${server.token}`, { host: "evil.example:80" })).status).toBe(403);
    const res = await get(`/..%2Fsecret.txt?token=${server.token}`);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain("secret");
  });

  it("refuses WebSocket connections without the token or from another origin", async () => {
    const base = `ws://127.0.0.1:${server.port}/ws`;
    await expect(connect(base)).rejects.toThrow(/403/);
    await expect(connect(`${base}?token=${server.token}`, "http://evil.example")).rejects.toThrow(/403/);
  });

  it("answers contract calls over the WebSocket and pushes events", async () => {
    const ws = await connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, `http://127.0.0.1:${server.port}`);
    const messages: ServerMessage[] = [];
    ws.on("message", (d) => messages.push(JSON.parse(String(d)) as ServerMessage));
    const waitFor = async (pred: (m: ServerMessage) => boolean): Promise<ServerMessage> => {
      for (let i = 0; i < 200; i++) {
        const m = messages.find(pred);
        if (m) return m;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error("no such message");
    };
    ws.send(JSON.stringify({ type: "call", id: 1, name: "app.info", input: {} }));
    const info = await waitFor((m) => m.type === "result" && m.id === 1);
    expect(info).toMatchObject({ result: { ok: true, value: { carrier: "http", home: join(tmp.dir, "home") } } });
    ws.send(JSON.stringify({ type: "call", id: 2, name: "models.add", input: { path: join(tmp.dir, "nothing-here") } }));
    const failed = await waitFor((m) => m.type === "result" && m.id === 2);
    expect(failed).toMatchObject({ result: { ok: false, error: { code: "path-not-found" } } });
    ws.send(JSON.stringify({ type: "call", id: 3, name: "models.add", input: { path: join(tmp.dir, "ui") } }));
    await waitFor((m) => m.type === "event" && m.name === "models.changed");
    ws.send(JSON.stringify({ type: "call", id: 4, name: "no.such.call", input: {} }));
    expect(await waitFor((m) => m.type === "result" && m.id === 4)).toMatchObject({ result: { ok: false, error: { code: "unknown-call" } } });
    ws.close();
  });
});
