// Which shard answers a request: the shard holding the device the request names (in its
// path, or in its body as `device`, `publicKey` or every reading's `device`), else the shard
// the rule gives a new device. What names no device is not routed (the front answers it).

import { deviceAddress } from "@lcore/protocol/deviceMessage";
import { fromHex } from "@lcore/protocol/bytes";
import type { GatewayContext } from "../context.js";
import { shardForNewDevice } from "./shardRule.js";

const DEVICE_IN_PATH = /^\/v1\/(?:devices|readings)\/(0x[0-9a-fA-F]{40})(?:[/?]|$)/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const PUBLIC_KEY = /^0x[0-9a-fA-F]{128}$/;

/** The devices a request names; undefined when it names none (or its body is not JSON: a shard says why). */
export function devicesOf(url: string, body: unknown): string[] | undefined {
  const inPath = DEVICE_IN_PATH.exec(url)?.[1];
  if (inPath !== undefined) return [inPath.toLowerCase()];
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as { device?: unknown; publicKey?: unknown; readings?: unknown };
  if (typeof b.device === "string" && ADDRESS.test(b.device)) return [b.device.toLowerCase()];
  if (typeof b.publicKey === "string" && PUBLIC_KEY.test(b.publicKey))
    return [bytesHex(deviceAddress(fromHex(b.publicKey)))];
  if (Array.isArray(b.readings)) {
    const devices = b.readings
      .map((r) => (r as { device?: unknown } | null)?.device)
      .filter((d): d is string => typeof d === "string" && ADDRESS.test(d))
      .map((d) => d.toLowerCase());
    return devices.length === 0 ? undefined : [...new Set(devices)];
  }
  return undefined;
}

/** The shard that holds the device's registration, else the one the rule gives it. */
export function shardOfDevice(shards: readonly GatewayContext[], device: string): number {
  const holder = shards.findIndex((s) => s.registry.get(device) !== undefined);
  return holder !== -1 ? holder : shardForNewDevice(fromHex(device), shards.length);
}

function bytesHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString("hex")}`;
}
