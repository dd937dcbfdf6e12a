// Test fixtures of the dApp: metadata, outputs decoded, and a dApp that numbers its inputs.
// The device and owner keys, signed records and device inputs are the protocol's fixtures:
// the dApp depends on the protocol, so its tests may use the protocol's test fixtures.
import { Dapp, type AdvanceOutcome, type Output } from "@lcore/dapp";
import { decodeNotice } from "@lcore/protocol/notices";
import type { DeviceSummary } from "@lcore/protocol/deviceSummaries";
import type { Store } from "@lcore/dapp";
import type { AdvanceMetadata } from "@lcore/dapp";
import { APP, CHAIN_ID, T0 } from "../../protocol/test/fixtures.js";

export {
  APP,
  CHAIN_ID,
  T0,
  type TestDevice,
  permitDomain,
  record,
  registration,
  registrationByPermit,
  revocation,
  rotation,
  sha,
  sign,
  testDevice,
  testOwner,
} from "../../protocol/test/fixtures.js";

export function meta(over: Partial<AdvanceMetadata> = {}): AdvanceMetadata {
  return {
    chain_id: CHAIN_ID,
    app_contract: APP,
    msg_sender: "0x0000000000000000000000000000000000000000",
    block_number: 100,
    block_timestamp: T0,
    prev_randao: `0x${"00".repeat(32)}`,
    input_index: 0,
    ...over,
  };
}

export const notices = (r: AdvanceOutcome) =>
  r.outputs
    .filter((o): o is Extract<Output, { type: "notice" }> => o.type === "notice")
    .map((o) => decodeNotice(o.payload));
export const reports = (r: { outputs: Output[] } | { reports: Uint8Array[] }) =>
  ("reports" in r ? r.reports : r.outputs.filter((o) => o.type === "report").map((o) => o.payload)).map(
    (p) => JSON.parse(new TextDecoder().decode(p)) as Record<string, unknown>,
  );

/** A dApp plus a helper that numbers inputs. */
export async function testDapp() {
  const dapp = await Dapp.create();
  let index = 0;
  const advance = (payload: Uint8Array, over: Partial<AdvanceMetadata> = {}) =>
    dapp.advance(meta({ input_index: index++, ...over }), payload);
  const inspect = (path: string) => {
    const r = dapp.inspect(new TextEncoder().encode(path));
    return { status: r.status, body: reports(r)[0]! as any };
  };
  return { dapp, advance, inspect };
}

/**
 * The reference for what settlement reads from period_devices (periodDevices.ts), computed from
 * the records instead, O(records): what each device sent among the records first ≤ id < first +
 * count (PROTOCOL §9.1), its count and first and last seq, by device address (bytewise).
 */
export function deviceSummariesById(store: Store, first: bigint, count: bigint): DeviceSummary[] {
  const out: DeviceSummary[] = [];
  store.sql.all(
    "SELECT d.address, count(*), min(r.seq), max(r.seq) FROM records r JOIN devices d ON d.id = r.device_id WHERE r.id >= ? AND r.id < ? GROUP BY d.address ORDER BY d.address",
    [Number(first), Number(first + count)],
    (v) => {
      out.push({
        device: v[0] as Uint8Array,
        count: BigInt(v[1] as bigint),
        firstSeq: BigInt(v[2] as bigint),
        lastSeq: BigInt(v[3] as bigint),
      });
    },
  );
  return out;
}
