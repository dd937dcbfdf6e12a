// The migration's HTTP client: JSON to the gateway's owner routes, patient with what is
// transient (the gateway restarting, 429, 503: nothing was stored, so sending again is safe)
// and loud about everything else.

export class MigrateError extends Error {
  override name = "MigrateError";
}

export interface GatewayClientOptions {
  url: string;
  token: string;
  /** Keep retrying transient failures this long (ms). */
  retryForMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class GatewayClient {
  readonly #o: GatewayClientOptions;

  constructor(o: GatewayClientOptions) {
    this.#o = { ...o, url: o.url.replace(/\/+$/, "") };
  }

  async get<T>(path: string): Promise<T> {
    return this.#call<T>("GET", path, undefined);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.#call<T>("POST", path, body);
  }

  async #call<T>(method: string, path: string, body: unknown): Promise<T> {
    const until = Date.now() + this.#o.retryForMs;
    for (let attempt = 0; ; attempt++) {
      let wait: number;
      try {
        const res = await fetch(`${this.#o.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${this.#o.token}`,
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(120_000),
        });
        const text = await res.text();
        if (res.ok) return JSON.parse(text) as T;
        if (res.status !== 429 && res.status !== 503) {
          let code = "";
          try {
            const err = JSON.parse(text) as { code?: string; message?: string };
            code = `${err.code ?? ""}: ${err.message ?? ""}`;
          } catch {
            code = text.slice(0, 200);
          }
          throw new MigrateError(`${method} ${path} answered ${res.status} ${code}`);
        }
        wait = Number(res.headers.get("retry-after") ?? "1") * 1000;
      } catch (error) {
        if (error instanceof MigrateError) throw error;
        wait = Math.min(5000, 250 * 2 ** attempt); // unreachable or cut: the gateway may be restarting
        if (Date.now() + wait > until) throw new MigrateError(`${method} ${path}: ${(error as Error).message}`);
      }
      if (Date.now() + wait > until)
        throw new MigrateError(`${method} ${path}: still refused after ${this.#o.retryForMs} ms`);
      await sleep(wait);
    }
  }
}
