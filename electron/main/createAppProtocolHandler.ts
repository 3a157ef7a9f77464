import { serveStaticFile, textResponse, type StaticResponse } from "../server/serveStaticFile.js";
import { isAppUrl } from "./appUrl.js";

function toResponse(r: StaticResponse): Response {
  return new Response(r.body, { status: r.status, headers: r.headers });
}

/**
 * The app:// handler (for Electron's `protocol.handle`): the built renderer folder's files, served as
 * `polytune serve` serves them (server/serveStaticFile.ts). Plain fetch Request → Response, so it runs
 * under Node in tests.
 */
export function createAppProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (!isAppUrl(request.url)) return toResponse(textResponse(404, "Not found."));
    return toResponse(await serveStaticFile(rendererDir, request.method, new URL(request.url).pathname));
  };
}
