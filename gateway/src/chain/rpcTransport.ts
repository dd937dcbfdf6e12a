// The chain's JSON-RPC as every part of the gateway reaches it: viem's http transport (no
// retries of its own: each loop retries with its backoff) over kept-alive connections
// (keepAliveFetch.ts), with every call reported to the
// chain upstream's health (system/health.ts), so /healthz and /metrics know when the RPC
// stopped answering and when it came back.

import { type HttpTransportConfig, type Transport, http } from "viem";
import type { Upstream } from "../system/health.js";
import { keepAliveFetch } from "./keepAliveFetch.js";

/** viem types its fetchFn as fetch; it reads only what keepAliveFetch answers (ok, status, headers.get, text). */
const fetchFn = keepAliveFetch as unknown as typeof fetch;

/** Longest wait for one JSON-RPC call. */
export const RPC_TIMEOUT_MS = 15_000;

export function chainTransport(url: string, upstream: Upstream, config: HttpTransportConfig = {}): Transport {
  const base = http(url, { retryCount: 0, timeout: RPC_TIMEOUT_MS, fetchFn, ...config });
  const transport: Transport = (params) => {
    const t = base(params);
    return {
      ...t,
      request: ((args: Parameters<typeof t.request>[0]) => upstream.call(() => t.request(args))) as typeof t.request,
    };
  };
  return transport;
}
