import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { isCallName, type ServerClientMessage, type ServerMessage } from "../shared/contract.js";
import type { Engine } from "../engine/Engine.js";
import { serveStaticFile, textResponse, type StaticResponse } from "./serveStaticFile.js";

export interface ServeOptions {
  engine: Engine;
  port?: number;
  /** Folder of the built renderer (index.html + assets). */
  rendererDir: string;
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const COOKIE = "polytune_token";

function sameToken(a: string | undefined | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, v] = part.trim().split("=");
    if (k === COOKIE) return v;
  }
  return undefined;
}

/**
 * `polytune serve`: the built UI and the engine's contract over HTTP + WebSocket, on 127.0.0.1 only.
 * Every request needs the per-start token (in the URL once, then in a SameSite cookie); the Host and
 * Origin headers must name this server, which also stops DNS-rebinding pages.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString("base64url");
  let port = 0;
  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = (): Set<string> => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const send = (res: ServerResponse, r: StaticResponse, extraHeaders: Record<string, string> = {}): void => {
    res.writeHead(r.status, { ...r.headers, ...extraHeaders });
    res.end(r.body ?? undefined);
  };
  const refuse = (res: ServerResponse, status: number, text: string): void => send(res, textResponse(status, text));

  const server: Server = createServer((req, res): void => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (!allowedHosts().has(req.headers.host ?? "")) return refuse(res, 403, "Forbidden: unexpected Host header.");
    const queryToken = url.searchParams.get("token");
    const authorised = sameToken(queryToken, token) || sameToken(cookieToken(req), token);
    if (!authorised) return refuse(res, 403, "Forbidden: this Polytune server needs the token printed when it started.");
    // The token in the URL becomes a cookie, so the page's own requests need not carry it.
    const cookie: Record<string, string> = queryToken ? { "set-cookie": `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` } : {};
    serveStaticFile(options.rendererDir, req.method ?? "GET", url.pathname).then(
      (r) => send(res, r, cookie),
      () => refuse(res, 500, "The file could not be read."),
    );
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 << 20 });
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const origin = req.headers.origin;
    const ok =
      url.pathname === "/ws" &&
      allowedHosts().has(req.headers.host ?? "") &&
      (origin === undefined || allowedOrigins().has(origin)) &&
      (sameToken(url.searchParams.get("token"), token) || sameToken(cookieToken(req), token));
    if (!ok) {
      socket.write("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n");
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, options.engine));
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolvePromise());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolvePromise) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolvePromise());
      }),
  };
}

function serveSocket(ws: WebSocket, engine: Engine): void {
  const send = (message: ServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const unsubscribe = engine.onEvent((name, payload) => send({ type: "event", name, payload }));
  ws.on("close", unsubscribe);
  ws.on("message", async (data) => {
    let message: ServerClientMessage;
    try {
      message = JSON.parse(String(data)) as ServerClientMessage;
    } catch {
      return;
    }
    if (message?.type !== "call" || typeof message.id !== "number") return;
    if (!isCallName(message.name)) {
      send({ type: "result", id: message.id, result: { ok: false, error: { code: "unknown-call", message: `Unknown call "${String(message.name)}".` } } });
      return;
    }
    const result = await engine.dispatch(message.name, message.input, "http");
    send({ type: "result", id: message.id, result });
  });
}
