// One client for the whole UI. It implements the contract's PolytuneApi over whichever carrier the
// page has: the Electron preload bridge (window.polytune) or the `polytune serve` WebSocket.
// Both carriers return result envelopes; this file unwraps them so views only see values or a
// PolytuneError that keeps its code, where and hint.
import {
  calls,
  events,
  isEventName,
  type CallInput,
  type CallName,
  type CallOutput,
  type CallResult,
  type DesktopActionName,
  type DesktopResult,
  type EventName,
  type EventPayload,
  type PolytuneApi,
  type PreloadBridge,
  type ServerClientMessage,
  type ServerMessage,
} from "../../../electron/shared/contract.js";
import { PolytuneError } from "../../../electron/shared/PolytuneError.js";
import { strings } from "../i18n/strings.js";

export type ConnectionState =
  | { status: "open" }
  | { status: "connecting"; attempt: number }
  | { status: "closed"; retryAt: number; everOpened: boolean; restarted?: boolean };

export interface ApiClient extends PolytuneApi {
  readonly carrier: "ipc" | "http";
  connection(): ConnectionState;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Retry the connection now instead of waiting for the next back-off step. */
  reconnectNow(): void;
  /** The on-disk path of a dropped File; only the Electron bridge can tell it. */
  readonly pathForFile: ((file: File) => string) | null;
  /** Actions only the desktop app can take (native dialog, file manager); null in the browser, so no view offers them there. */
  readonly desktop: DesktopActions | null;
}

export interface DesktopActions {
  addModelsFromDialog(kind: "file" | "folder"): Promise<void>;
  showRunAdapter(run: string): Promise<void>;
}

/** The preload may add helpers beyond the contract's PreloadBridge (drag-and-drop paths). */
type BridgeWithExtras = PreloadBridge & { pathForFile?: (file: File) => string };

/** The bridge's desktop actions when it has them all (an older preload may not), with envelopes unwrapped. */
function desktopActionsOf(bridge: BridgeWithExtras): DesktopActions | null {
  const action = (name: DesktopActionName) => (bridge as Partial<Record<DesktopActionName, (input: unknown) => Promise<DesktopResult>>>)[name];
  const pick = action("desktop.addModelsFromDialog");
  const reveal = action("desktop.showRunAdapter");
  if (typeof pick !== "function" || typeof reveal !== "function") return null;
  const run = async (result: Promise<DesktopResult>): Promise<void> => {
    const settled = await result;
    if (!settled.ok) throw PolytuneError.fromShape(settled.error);
  };
  return {
    addModelsFromDialog: (kind) => run(pick({ kind })),
    showRunAdapter: (id) => run(reveal({ run: id })),
  };
}

type AnyListener = (payload: unknown) => void;

const s = strings.connection;

/** Checks a value against the contract so a version mismatch reads as one clear error, not a crash deep in a view. */
function parseOutput<N extends CallName>(name: N, value: unknown): CallOutput<N> {
  const parsed = calls[name].output.safeParse(value);
  if (!parsed.success) {
    throw new PolytuneError("bad-response", s.badResponse(name), { hint: s.badResponseHint, details: parsed.error.message });
  }
  return parsed.data as CallOutput<N>;
}

function unwrap<N extends CallName>(name: N, result: CallResult<N>): CallOutput<N> {
  if (result.ok) return parseOutput(name, result.value);
  throw PolytuneError.fromShape(result.error);
}

/** Event payloads are checked too; one that does not fit is dropped (and logged) rather than breaking a view. */
function dispatchEvent(listeners: Map<EventName, Set<AnyListener>>, name: unknown, payload: unknown): void {
  if (!isEventName(name)) return;
  const parsed = events[name].safeParse(payload);
  if (!parsed.success) {
    console.warn(`Polytune: ignored malformed "${name}" event`, parsed.error.message);
    return;
  }
  for (const listener of listeners.get(name) ?? []) listener(parsed.data);
}

function subscribe(listeners: Map<EventName, Set<AnyListener>>, event: EventName, listener: AnyListener): () => void {
  let set = listeners.get(event);
  if (!set) listeners.set(event, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

function createBridgeClient(bridge: BridgeWithExtras): ApiClient {
  const listeners = new Map<EventName, Set<AnyListener>>();
  const state: ConnectionState = { status: "open" };
  // One subscription per event name on the bridge; fan-out happens here after validation.
  const subscribed = new Set<EventName>();
  return {
    carrier: "ipc",
    connection: () => state,
    onConnection: () => () => undefined,
    reconnectNow: () => undefined,
    pathForFile: bridge.pathForFile ? (file) => bridge.pathForFile!(file) : null,
    desktop: desktopActionsOf(bridge),
    async call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
      const method = bridge[name] as unknown as ((input: unknown) => Promise<CallResult<N>>) | undefined;
      if (typeof method !== "function") throw new PolytuneError("unknown-call", s.unknownCall(name));
      return unwrap(name, await method(input));
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      if (!subscribed.has(event)) {
        subscribed.add(event);
        bridge.on(event, (payload) => dispatchEvent(listeners, event, payload));
      }
      return subscribe(listeners, event, listener as AnyListener);
    },
  };
}

interface Pending {
  name: CallName;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const backoffMs = (attempt: number): number => Math.min(10_000, 500 * 2 ** attempt);

function createSocketClient(url: string, probeUrl: string): ApiClient {
  const listeners = new Map<EventName, Set<AnyListener>>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  const pending = new Map<number, Pending>();
  // Calls made while the socket is still opening wait here instead of failing.
  const outbox: string[] = [];
  let socket: WebSocket | null = null;
  let nextId = 1;
  let attempt = 0;
  let everOpened = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let state: ConnectionState = { status: "connecting", attempt: 0 };

  const setState = (next: ConnectionState): void => {
    state = next;
    for (const listener of connectionListeners) listener(state);
  };

  const failAll = (error: PolytuneError): void => {
    outbox.length = 0;
    for (const entry of pending.values()) entry.reject(error);
    pending.clear();
  };

  const connect = (): void => {
    if (socket) return;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    setState({ status: "connecting", attempt });
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      everOpened = true;
      setState({ status: "open" });
      for (const message of outbox.splice(0)) ws.send(message);
    };
    ws.onmessage = (event) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        console.warn("Polytune: ignored a message that is not JSON");
        return;
      }
      if (message.type === "result") {
        const entry = pending.get(message.id);
        if (!entry) return;
        pending.delete(message.id);
        try {
          entry.resolve(unwrap(entry.name, message.result));
        } catch (error) {
          entry.reject(error);
        }
      } else if (message.type === "event") {
        dispatchEvent(listeners, message.name, message.payload);
      }
    };
    ws.onclose = () => {
      socket = null;
      failAll(new PolytuneError("disconnected", s.lost, { hint: s.lostHint }));
      const delay = backoffMs(attempt++);
      setState({ status: "closed", retryAt: Date.now() + delay, everOpened });
      retryTimer = setTimeout(connect, delay);
      if (everOpened) void probeRestart();
    };
    // onerror is always followed by onclose, which does the work.
    ws.onerror = () => undefined;
  };

  // A socket refused after it once worked: either the server is down (retry) or it was started again with
  // a new token, which this page will never have (say so, and stop retrying). Only the HTTP status tells.
  const probeRestart = async (): Promise<void> => {
    try {
      const response = await fetch(probeUrl, { cache: "no-store", credentials: "same-origin" });
      if (response.status !== 403 || state.status !== "closed") return;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      setState({ status: "closed", retryAt: Number.POSITIVE_INFINITY, everOpened, restarted: true });
    } catch {
      // Not answering at all: the back-off keeps trying.
    }
  };

  connect();
  // Coming back to the window is a good moment to retry without waiting for the back-off.
  if (typeof document !== "undefined") {
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && state.status === "closed" && !state.restarted) connect();
    });
  }

  return {
    carrier: "http",
    connection: () => state,
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    reconnectNow: connect,
    pathForFile: null,
    desktop: null,
    call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
      if (state.status === "closed") {
        return Promise.reject(new PolytuneError("disconnected", s.lost, { hint: s.lostHint }));
      }
      const id = nextId++;
      const message: ServerClientMessage = { type: "call", id, name, input };
      const text = JSON.stringify(message);
      return new Promise<CallOutput<N>>((resolve, reject) => {
        pending.set(id, { name, resolve: resolve as (value: unknown) => void, reject });
        if (socket && socket.readyState === WebSocket.OPEN) socket.send(text);
        else outbox.push(text);
      });
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      return subscribe(listeners, event, listener as AnyListener);
    },
  };
}

/**
 * The WebSocket address of `polytune serve`: same host as the page. The token goes along when the
 * page's address has it; otherwise the cookie the server set with the page authorises the socket.
 */
export function socketUrl(location: Pick<Location, "protocol" | "host" | "search">): string {
  const token = new URLSearchParams(location.search).get("token");
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ""}`;
}

/**
 * Takes the token out of the address bar once the page has it, so it does not end up in screenshots,
 * history or shared links; reloads still work through the server's cookie.
 */
export function hideTokenFromAddressBar(win: Window = window): void {
  const url = new URL(win.location.href);
  if (!url.searchParams.has("token")) return;
  url.searchParams.delete("token");
  win.history.replaceState(win.history.state, "", url.pathname + url.search + url.hash);
}

/** Picks the carrier the page has: the Electron bridge when present, else the serve WebSocket. */
export function createApiClient(win: Window & { polytune?: BridgeWithExtras } = window): ApiClient {
  if (win.polytune) return createBridgeClient(win.polytune);
  return createSocketClient(socketUrl(win.location), `${win.location.origin}/`);
}
