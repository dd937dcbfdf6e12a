// Reading a running devnet from the dApp's end-to-end tests.
import { decodeOutput, NOTICE_SELECTOR } from "@lcore/devnet";
import type { Hex } from "viem";
import { fromHex } from "@lcore/protocol/bytes";

/** A GraphQL query against the devnet; GraphQL errors become a thrown Error. */
export async function gqlAt<T = any>(graphqlUrl: string, query: string): Promise<T> {
  const res = await fetch(graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data as T;
}

/** A notice's own bytes, whether the API served the decoded payload or the ABI-encoded Notice(bytes) output. */
export function noticePayload(payload: Hex): Uint8Array {
  const out = payload.startsWith(NOTICE_SELECTOR) ? decodeOutput(payload) : undefined;
  return fromHex(out?.type === "Notice" ? out.payload : payload);
}
