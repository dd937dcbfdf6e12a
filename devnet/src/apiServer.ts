// One HTTP server for the read side, as the real services lay it out:
//   POST /rpc                      JSON-RPC 2.0 (rollups-node)
//   POST /graphql[/{application}]  GraphQL; GET serves GraphiQL (rollups-graphql)
//   POST /inspect/{application}    inspect; the body is the raw payload (rollups-node)
// Every body is read under a size bound before it is parsed.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { createYoga } from "graphql-yoga";
import { type ApiContext, contextOf, isOurApplication } from "./apiContext.js";
import { InvalidArgumentError } from "./errors.js";
import { createReaderSchema } from "./graphqlReader.js";
import { bytesToHex } from "./hex.js";
import { BodyTooLargeError, closeServer, listen, readBody } from "./http.js";
import { handleJsonRpc, JSONRPC_MAX_BODY_BYTES } from "./jsonRpc.js";

/** The real inspect service reads at most the machine's 2 MiB CMIO buffer. */
export const INSPECT_MAX_BODY_BYTES = 1 << 21;
/** Bound on a GraphQL request body. */
export const GRAPHQL_MAX_BODY_BYTES = 1 << 20;

export interface ApiServer {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

function text(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(`${body}\n`);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(`${JSON.stringify(value)}\n`);
}

export const GRAPHIQL_TITLE = "lcore devnet: rollups GraphQL";
const graphiqlPages = new Map<string, string>();
function graphiqlPage(options: Parameters<typeof renderGraphiQL>[0]): string {
  const key = JSON.stringify(options ?? {});
  let page = graphiqlPages.get(key);
  if (page === undefined) {
    page = renderGraphiQL(options);
    graphiqlPages.set(key, page);
  }
  return page;
}

export async function startApiServer(
  ctx: ApiContext,
  opts: { host?: string; port?: number; log?: (m: string) => void } = {},
): Promise<ApiServer> {
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError(`port must be 0..65535, got ${port}`);
  const log = opts.log ?? (() => {});
  // One GraphQL service per application, as rollups-graphql serves /graphql/{application}.
  const yogas = new Map((ctx.fleet ?? [ctx]).map((app) => [app, createReaderYoga(app)]));
  const yogaOf = (app: ApiContext) => yogas.get(app) ?? yogas.get(ctx)!;

  async function graphql(req: IncomingMessage, res: ServerResponse, search: string, app: ApiContext): Promise<void> {
    const body =
      req.method === "GET" || req.method === "HEAD" ? undefined : await readBody(req, GRAPHQL_MAX_BODY_BYTES);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
    }
    const init: RequestInit = { method: req.method ?? "GET", headers };
    if (body !== undefined) init.body = body.toString("utf8");
    const response = await yogaOf(app).fetch(`http://${req.headers.host ?? "localhost"}/graphql${search}`, init);
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      out[name] = value;
    });
    res.writeHead(response.status, out);
    res.end(Buffer.from(await response.arrayBuffer()));
  }

  async function inspect(req: IncomingMessage, res: ServerResponse, app: string): Promise<void> {
    if (app === "") return text(res, 400, "Missing application address");
    if (req.method !== "POST") {
      // As the real inspect service: POST only. A browser's GET gets the way to ask instead of a bare refusal.
      res.setHeader("allow", "POST");
      return text(
        res,
        405,
        `Method not allowed: inspect is POST /inspect/<application> with the query as the request body, e.g.\n  curl -s -X POST http://${req.headers.host ?? "127.0.0.1"}/inspect/${app} --data-binary '<the query>'\n`,
      );
    }
    const body = await readBody(req, INSPECT_MAX_BODY_BYTES);
    const target = contextOf(ctx, app);
    if (!isOurApplication(target, app)) return text(res, 404, "Application not found");
    json(res, 200, await target.inspect(bytesToHex(body)));
  }
  async function rpc(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return text(res, 405, "Method not allowed");
    }
    const body = await readBody(req, JSONRPC_MAX_BODY_BYTES).catch(() => undefined);
    if (body === undefined) return text(res, 400, "Failed to read request body");
    let call: unknown;
    try {
      call = JSON.parse(body.toString("utf8"));
    } catch {
      return text(res, 400, "Invalid JSON");
    }
    json(res, 200, await handleJsonRpc(ctx, call));
  }

  const server = createServer((req, res) => {
    const [path = "/", query] = (req.url ?? "/").split("?", 2);
    const search = query === undefined ? "" : `?${query}`;
    // Browsers (a dApp front end on another origin) may call every endpoint.
    res.setHeader("access-control-allow-origin", "*");
    if (req.method === "OPTIONS" && !path.startsWith("/graphql")) {
      res.writeHead(204, {
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": "content-type",
      });
      res.end();
      return;
    }
    let handling: Promise<void>;
    if (path === "/rpc") handling = rpc(req, res);
    else if (path === "/graphql" || path === "/graphql/") handling = graphql(req, res, search, ctx);
    else if (path.startsWith("/graphql/")) {
      const app = decodeURIComponent(path.slice("/graphql/".length));
      const target = contextOf(ctx, app);
      handling = isOurApplication(target, app)
        ? graphql(req, res, search, target)
        : Promise.resolve(text(res, 404, "Application not found"));
    } else if (path.startsWith("/inspect/") || path === "/inspect")
      handling = inspect(req, res, decodeURIComponent(path.slice("/inspect/".length)));
    else handling = Promise.resolve(text(res, 404, "Not found"));
    handling.catch((err: unknown) => {
      if (err instanceof BodyTooLargeError) return text(res, 413, "Payload too large");
      log(`api: ${(err as Error).message}`);
      text(res, 500, "Internal server error");
    });
  });

  const url = await listen(server, host, port);
  return { url, close: () => closeServer(server) };
}

function createReaderYoga(ctx: ApiContext) {
  return createYoga({
    schema: createReaderSchema(ctx),
    graphqlEndpoint: "/graphql",
    graphiql: { title: GRAPHIQL_TITLE },
    // yoga's own GraphiQL page loads its scripts from a CDN: blank offline. This one carries
    // them inline (9 MB), rendered once.
    renderGraphiQL: (options) => graphiqlPage(options),
    landingPage: false,
    maskedErrors: false,
    logging: false,
  });
}
