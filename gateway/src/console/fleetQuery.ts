// The device list's query string as a FleetFilter (outbox/fleetStore.ts): the search box
// is an address (or its hex prefix, from 0x and 1 to 40 hex digits) or else a substring of the
// metadata; the filters map one to one.

import { fromHex, u64Bytes } from "@lcore/protocol/bytes";
import type { Static } from "typebox";
import { GatewayError } from "../http/errors.js";
import type { FleetFilter } from "../outbox/fleetStore.js";
import { FLEET_PAGE_DEFAULT, FLEET_PAGE_MAX, type FleetQuery } from "./consoleSchemas.js";

const ADDRESS_BITS = 160n;

const addressBytes = (n: bigint): Uint8Array => fromHex(`0x${n.toString(16).padStart(40, "0")}`);

/** The addresses starting with the hex `prefix`: [from, to), to null when the prefix is all f. */
export function addressRange(prefix: string): { from: Uint8Array; to: Uint8Array | null } {
  const shift = 4n * BigInt(40 - prefix.length);
  const n = prefix.length === 0 ? 0n : BigInt(`0x${prefix}`);
  const from = n << shift;
  const to = (n + 1n) << shift;
  return { from: addressBytes(from), to: to >= 1n << ADDRESS_BITS ? null : addressBytes(to) };
}

/** A LIKE pattern matching `text` anywhere, its wildcards escaped. */
export const likeAnywhere = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A decimal u64 from a query string (its pattern allows 20 digits, a little more than u64). */
export function u64(text: string): bigint {
  const n = BigInt(text);
  if (n >= 1n << 64n) throw new GatewayError("LCORE_GW_INVALID_REQUEST", "a seq must be a u64");
  return n;
}

export function fleetFilter(q: Static<typeof FleetQuery>, nowMs: number): FleetFilter {
  const f: FleetFilter = { limit: Math.min(Number(q.limit ?? FLEET_PAGE_DEFAULT), FLEET_PAGE_MAX) || 1 };
  if (q.after !== undefined) f.after = fromHex(q.after);
  const search = q.q?.trim() ?? "";
  const hex = /^0x([0-9a-fA-F]{1,40})$/.exec(search);
  if (hex !== null) {
    const range = addressRange(hex[1]!.toLowerCase());
    f.addressFrom = range.from;
    f.addressTo = range.to;
  } else if (search !== "") f.metadataLike = likeAnywhere(search);
  if (q.seq !== undefined) f.seq = u64Bytes(u64(q.seq));
  if (q.status !== undefined) f.status = q.status;
  if (q.rejected === "1") f.rejected = true;
  if (q.unsettled === "1") f.unsettled = true;
  if (q.silentSeconds !== undefined) f.silentSinceMs = nowMs - Number(q.silentSeconds) * 1000;
  return f;
}
