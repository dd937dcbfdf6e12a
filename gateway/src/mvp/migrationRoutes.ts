// Owner routes for `lcore migrate` (PROTOCOL §7.7): MVP devices and data_submissions rows in,
// each answered with its own outcome, so the migrating client can account for every row.
//
// Both routes are idempotent. A device_id already registered (by a previous run or by the MVP
// route) answers its device; a row already stored answers "duplicate" with its receipt
// (every reading is built deterministically from its row: mvpRow.ts). Rows that can
// never be migrated answer "skipped" with a stable reason; anything transient (outbox full,
// storage, shutting down) fails the whole request with its LCORE_GW_* code and stores none of
// its new readings, and the client sends it again.

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { MAX_READING_PAYLOAD } from "@lcore/protocol/bounds";
import { type Static, Type } from "typebox";
import type { GatewayContext } from "../context.js";
import type { DeviceState } from "../devices/deviceRegistry.js";
import { GatewayError } from "../http/errors.js";
import { equalBytes, fromHex, toHex } from "@lcore/protocol/bytes";
import { ownerAuth } from "../http/ownerAuth.js";
import { Address, DecimalString, ErrorBody, ReadingStatusName } from "../http/schemas.js";
import { MVP_DEVICE_ID } from "@lcore/protocol/mvpMigration";
import { RowSkipped, buildRow } from "./mvpRow.js";
import { readingProgress, receiptOf } from "../readings/status.js";
import { registerCustodial } from "./mvpRoutes.js";

const errors = { "4xx": ErrorBody, "5xx": ErrorBody };
const security = [{ ownerToken: [] }];

/** Most devices per POST /v1/migration/devices (each is one registration input). */
export const MIGRATION_DEVICES_PER_REQUEST = 100;
/** Most readings per POST /v1/migration/status. */
export const MIGRATION_STATUS_PER_REQUEST = 1000;
/** Bytes of one row in a request at most: the hex of the largest data, the other fields, JSON. */
const ROW_BYTES = 2 * MAX_READING_PAYLOAD + 2 * 254 + 1024;

const Integer = Type.String({ pattern: "^-?[0-9]{1,20}$", description: "an integer as a decimal string" });

const MigrationRow = Type.Object(
  {
    device_id: Type.String({ maxLength: 1024 }),
    row_id: Integer,
    submission_date: Integer,
    transaction_hash: Type.Union([Type.String({ maxLength: 1024 }), Type.Null()]),
    data: Type.String({
      pattern: "^0x([0-9a-fA-F]{2})*$",
      maxLength: 2 + 2 * MAX_READING_PAYLOAD,
      description: "the data BLOB, 0x-hex",
    }),
  },
  { additionalProperties: false },
);

const RowResult = Type.Object({
  row_id: DecimalString,
  outcome: Type.Union([Type.Literal("migrated"), Type.Literal("duplicate"), Type.Literal("skipped")]),
  reason: Type.Optional(Type.String()),
  device: Type.Optional(Address),
  seq: Type.Optional(DecimalString),
  status: Type.Optional(ReadingStatusName),
});

type RowResult = Static<typeof RowResult>;

const DeviceResult = Type.Object({
  device_id: Type.String(),
  outcome: Type.Union([Type.Literal("registered"), Type.Literal("existing"), Type.Literal("skipped")]),
  reason: Type.Optional(Type.String()),
  device: Type.Optional(Address),
});

type DeviceResult = Static<typeof DeviceResult>;

const DevicesBody = Type.Object(
  {
    devices: Type.Array(Type.Object({ device_id: Type.String({ maxLength: 1024 }) }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: MIGRATION_DEVICES_PER_REQUEST,
    }),
  },
  { additionalProperties: false },
);

const StatusBody = Type.Object(
  {
    readings: Type.Array(Type.Object({ device: Address, seq: DecimalString }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: MIGRATION_STATUS_PER_REQUEST,
    }),
  },
  { additionalProperties: false },
);

const StatusResult = Type.Object({
  device: Address,
  seq: DecimalString,
  status: Type.Union([ReadingStatusName, Type.Literal("missing")]),
  reason: Type.Optional(Type.String()),
});

export function migrationRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook("onRequest", ownerAuth(ctx.options.ownerToken));

    app.post(
      "/v1/migration/devices",
      {
        bodyLimit: MIGRATION_DEVICES_PER_REQUEST * 1100,
        schema: {
          tags: ["migration"],
          summary: "Register MVP devices under custodial keys (owner; idempotent)",
          description:
            'As POST /device/register, without its rate limit: an already registered device_id answers "existing" with its device.',
          security,
          body: DevicesBody,
          response: { 200: Type.Object({ devices: Type.Array(DeviceResult) }), ...errors },
        },
      },
      async (request) => ({
        devices: await migrateDevices(
          ctx,
          request.body.devices.map((d) => d.device_id),
        ),
      }),
    );

    app.post(
      "/v1/migration/readings",
      {
        bodyLimit: ctx.limits.migrationRows * ROW_BYTES,
        schema: {
          tags: ["migration"],
          summary: "Migrate MVP data_submissions rows (owner; idempotent)",
          description:
            "Each row becomes one reading built deterministically from it (PROTOCOL §7.7) and gets its own outcome: migrated, duplicate (stored before; its receipt), or skipped with a reason. The new readings are stored all together or, on an error, not at all.",
          security,
          body: Type.Object(
            {
              rows: Type.Array(MigrationRow, { minItems: 1, maxItems: ctx.limits.migrationRows }),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ rows: Type.Array(RowResult) }), ...errors },
        },
      },
      async (request) => ({ rows: await migrateRows(ctx, request.body.rows) }),
    );

    app.post(
      "/v1/migration/status",
      {
        bodyLimit: MIGRATION_STATUS_PER_REQUEST * 128,
        schema: {
          tags: ["migration"],
          summary: "The status of many readings at once (owner)",
          description:
            'What GET /v1/readings/{device}/{seq} answers, for up to 1000 readings; "missing" when the gateway has no such reading.',
          security,
          body: StatusBody,
          response: { 200: Type.Object({ readings: Type.Array(StatusResult) }), ...errors },
        },
      },
      async (request) => ({ readings: request.body.readings.map((r) => migratedStatus(ctx, r.device, r.seq)) }),
    );
  };
}

/** Registers each valid device_id not registered yet; answers each with its outcome, in order. */
async function migrateDevices(ctx: GatewayContext, ids: string[]): Promise<DeviceResult[]> {
  const results: DeviceResult[] = [];
  for (const id of ids) {
    if (!MVP_DEVICE_ID.test(id)) {
      results.push({ device_id: id, outcome: "skipped" as const, reason: "device_id_invalid" });
      continue;
    }
    const existing = ctx.registry.byMvpId(id);
    if (existing !== undefined) {
      results.push({ device_id: id, outcome: "existing" as const, device: existing.hex });
      continue;
    }
    const d = await registerCustodial(ctx, id);
    results.push({ device_id: id, outcome: "registered" as const, device: d.hex });
  }
  return results;
}

type MigrationRow = Static<typeof MigrationRow>;
type SignableRow = ReturnType<typeof buildRow>;

/** Each row's outcome, in order; the new readings are stored all together (ingest) or not at all. */
async function migrateRows(ctx: GatewayContext, rows: MigrationRow[]): Promise<RowResult[]> {
  const latest = BigInt(Math.floor(ctx.nowMs() / 1000) + ctx.limits.futureSkewSeconds);
  const lastSeq = new Map<DeviceState, bigint | null>();
  const fresh: { index: number; built: SignableRow }[] = [];
  const results = rows.map((r, index): RowResult => {
    const { result, built } = checkRow(ctx, r, latest, lastSeq);
    if (built !== undefined) fresh.push({ index, built });
    return result;
  });
  if (fresh.length > 0) {
    const receipts = await ctx.ingest.accept(
      fresh.map((f) => f.built.sign()),
      { rateLimit: false },
    );
    receipts.forEach((receipt, i) => {
      results[fresh[i]!.index]!.status = receipt.status;
    });
  }
  return results;
}

/**
 * One row: skipped (RowSkipped's reason), a duplicate of a stored reading, or new (with the
 * reading built from it, and the device's last seq in this request moved to it). Throws only
 * what fails the whole request.
 */
function checkRow(
  ctx: GatewayContext,
  r: MigrationRow,
  latest: bigint,
  lastSeq: Map<DeviceState, bigint | null>,
): { result: RowResult; built?: SignableRow } {
  const result = { row_id: r.row_id };
  try {
    const device = ctx.registry.byMvpId(r.device_id);
    if (device === undefined) throw new RowSkipped("device_unknown", "register the device_id first");
    // Never storable (devices/deviceMarks.ts), so a skip, not the whole request's 409 resent for ever.
    if (device.chainMark !== null)
      throw new RowSkipped("device_refused", `the chain refuses the device: ${device.chainMark.status}`);
    const built = buildRow(
      {
        deviceId: r.device_id,
        rowId: BigInt(r.row_id),
        submissionDate: BigInt(r.submission_date),
        transactionHash: r.transaction_hash,
        data: fromHex(r.data),
      },
      device,
      ctx.custodian,
      latest,
    );
    const seq = BigInt(r.row_id);
    const last = lastSeq.has(device) ? lastSeq.get(device)! : device.lastSeq;
    if (last !== null && seq <= last) {
      const stored = ctx.outbox.readings.get(device.address, seq);
      // The in-memory last seq moves before the commit: a resend racing the first request's commit must retry, not skip.
      const committed = ctx.outbox.devices.get(device.address)?.lastSeq ?? null;
      if (stored === undefined && (committed === null || committed < seq)) {
        throw new GatewayError(
          "LCORE_GW_STORAGE_BUSY",
          `row ${r.row_id} is being stored by an earlier request; retry`,
          { retryAfter: 1 },
        );
      }
      if (stored === undefined || !equalBytes(stored.digest, built.digest)) {
        throw new RowSkipped("device_past_row", `the device already has readings up to seq ${last}`);
      }
      return {
        result: {
          ...result,
          outcome: "duplicate",
          device: device.hex,
          seq: r.row_id,
          status: receiptOf(stored).status,
        },
      };
    }
    lastSeq.set(device, seq);
    return { result: { ...result, outcome: "migrated", device: device.hex, seq: seq.toString() }, built };
  } catch (error) {
    if (!(error instanceof RowSkipped)) throw error;
    return { result: { ...result, outcome: "skipped", reason: error.reason } };
  }
}

/** What GET /v1/readings/{device}/{seq} answers of one reading, or missing. */
function migratedStatus(ctx: GatewayContext, device: string, seq: string): Static<typeof StatusResult> {
  const n = BigInt(seq);
  const row = n >= 0n && n < 1n << 64n ? ctx.outbox.readings.get(fromHex(device), n) : undefined;
  if (row === undefined) return { device, seq, status: "missing" as const };
  const p = readingProgress(row, ctx.outbox.settlements);
  return { device: toHex(row.device), seq, status: p.status, ...(p.reason === undefined ? {} : { reason: p.reason }) };
}
