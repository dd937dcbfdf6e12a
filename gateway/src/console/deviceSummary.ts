// One device as the console lists it (outbox/fleetStore.ts's row, made readable), and
// what its metadata says about its readings' unit.
//
// `state` is what the list colours, and it is only `ok` (green) when the chain registered
// the device and the dApp's verdict on its newest judged reading was to accept it: a device
// whose readings the application rejects is `rejecting`, whatever its registration says.
// `lastSeq` counts only readings the dApp accepted.

import { readU64, toHex } from "@lcore/protocol/bytes";
import type { FleetDeviceRow } from "../outbox/fleetStore.js";

export type DeviceState = "ok" | "pending" | "rejecting" | "refused" | "idle";

/** What the console reads from the owner's opaque metadata: JSON {"unit", "decimals"} or `unit=…;decimals=…`. */
export interface MetadataHints {
  unit: string | null;
  /** The reading's value is an integer scaled by 10^decimals (0..18). */
  decimals: number;
}

export function metadataHints(metadata: string): MetadataHints {
  let unit: unknown;
  let decimals: unknown;
  try {
    const parsed = JSON.parse(metadata) as unknown;
    if (parsed !== null && typeof parsed === "object") ({ unit, decimals } = parsed as Record<string, unknown>);
  } catch {
    for (const part of metadata.split(/[;,]/)) {
      const [k, v] = part.split("=").map((s) => s.trim());
      if (k === "unit") unit = v;
      if (k === "decimals") decimals = Number(v);
    }
  }
  const d =
    typeof decimals === "number" && Number.isInteger(decimals) && decimals >= 0 && decimals <= 18 ? decimals : 0;
  return { unit: typeof unit === "string" && unit.length > 0 ? unit.slice(0, 16) : null, decimals: d };
}

export function deviceState(r: FleetDeviceRow): DeviceState {
  if (r.chain_status !== null) return "refused";
  if (r.last_outcome === "rejected") return "rejecting";
  if (r.reg_status !== null && r.reg_status !== "ACCEPTED") return "refused";
  if (r.reg_status === null) return "pending";
  return r.last_outcome === "accepted" ? "ok" : "idle";
}

function chainStatus(r: FleetDeviceRow): "pending" | "registered" | "registration_rejected" | "revoked" {
  if (r.chain_status !== null) return r.chain_status;
  return r.reg_status === "ACCEPTED" ? "registered" : r.reg_status === null ? "pending" : "registration_rejected";
}

export function deviceSummary(r: FleetDeviceRow) {
  const hints = metadataHints(r.metadata);
  return {
    device: toHex(r.address),
    metadata: r.metadata,
    unit: hints.unit,
    decimals: hints.decimals,
    state: deviceState(r),
    chainStatus: chainStatus(r),
    ...(r.chain_reason === null ? {} : { chainReason: r.chain_reason }),
    registeredAt: new Date(r.registered_ms).toISOString(),
    lastSeq: r.last_accepted_seq === null ? null : readU64(r.last_accepted_seq, 0).toString(),
    lastSeenAt: r.last_seen_ms === null ? null : new Date(r.last_seen_ms).toISOString(),
    lastOutcome: r.last_outcome,
    ...(r.last_outcome === "rejected" && r.last_reason !== null ? { lastReason: r.last_reason } : {}),
    rejected: r.rejected,
  };
}

export type DeviceSummary = ReturnType<typeof deviceSummary>;
