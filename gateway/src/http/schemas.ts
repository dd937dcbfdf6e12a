// The JSON shapes of the HTTP API. Routes validate requests and serialise answers with
// these, and /docs is generated from them, so the OpenAPI document cannot drift from
// the code. Bytes travel as 0x-hex; 64-bit integers as JSON integers when they fit a
// double exactly, else as decimal strings (both forms accepted, strings returned).

import { Type, type Static } from "typebox";
import { ERRORS } from "./errors.js";

const hexBytes = (n: number, description: string) => Type.String({ pattern: `^0x[0-9a-fA-F]{${2 * n}}$`, description });

export const Address = hexBytes(20, "20-byte address, 0x-hex");
export const Bytes32 = hexBytes(32, "32 bytes, 0x-hex");
export const Signature = hexBytes(64, "compact secp256k1 signature r || s (low-s), 0x-hex");
export const Nonce = hexBytes(16, "16 random bytes chosen by the device for this reading, 0x-hex");
export const PublicKey = Type.String({
  pattern: "^0x(04)?[0-9a-fA-F]{128}$",
  description: "secp256k1 public key, uncompressed: x || y (64 bytes) or 0x04 || x || y, 0x-hex",
});

/** u64 (seq, timestamp): a JSON integer or a decimal string; the range is checked in code. */
export const U64 = Type.Union(
  [Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), Type.String({ pattern: "^[0-9]{1,20}$" })],
  { description: "unsigned 64-bit integer: a JSON integer, or a decimal string above 2^53" },
);

/** i64 (value): a JSON integer or a decimal string. */
export const I64 = Type.Union(
  [
    Type.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
    Type.String({ pattern: "^-?[0-9]{1,19}$" }),
  ],
  { description: "signed 64-bit integer: a JSON integer, or a decimal string beyond ±2^53" },
);

export const DecimalString = Type.String({
  pattern: "^-?[0-9]+$",
  description: "a 64-bit integer as a decimal string",
});

/** PROTOCOL §1: the fields of the device message and the device's signature over its digest. */
export const DeviceReading = Type.Object(
  {
    device: Address,
    seq: U64,
    timestamp: U64,
    nonce: Nonce,
    value: I64,
    payload: Type.Optional(
      Type.String({
        pattern: "^0x([0-9a-fA-F]{2})*$",
        maxLength: 2 + 2 * 1024,
        description: "free-form bytes (at most 1024), 0x-hex; empty when absent",
      }),
    ),
    signature: Signature,
  },
  { additionalProperties: false },
);
export type DeviceReading = Static<typeof DeviceReading>;

export const ReadingStatusName = Type.Union(
  [
    Type.Literal("queued"),
    Type.Literal("submitted"),
    Type.Literal("included"),
    Type.Literal("processed"),
    Type.Literal("accepted"),
    Type.Literal("rejected"),
    Type.Literal("settled"),
  ],
  {
    description:
      "queued (in the outbox) → submitted (transaction sent) → included (mined: input index known) → processed (the dApp ran the input) → accepted | rejected; accepted → settled (its period's settlement executed on chain)",
  },
);

const FinalFlag = Type.Boolean({
  description:
    "true once the status can no longer change by the chain's doing: the input's block is at or below the chain's finalized block (or the reading was withdrawn unsent); until then a reorganisation can send an included or accepted reading back to submitted",
});

export const Receipt = Type.Object({
  device: Address,
  seq: DecimalString,
  digest: Bytes32,
  status: ReadingStatusName,
  receivedAt: Type.String({ description: "when the gateway committed the reading, ISO 8601" }),
  statusUrl: Type.String(),
});
export type Receipt = Static<typeof Receipt>;

export const ReadingStatus = Type.Object({
  device: Address,
  seq: DecimalString,
  digest: Bytes32,
  status: ReadingStatusName,
  final: FinalFlag,
  receivedAt: Type.String(),
  txHash: Type.Optional(Bytes32),
  blockNumber: Type.Optional(Type.Integer()),
  inputIndex: Type.Optional(Type.Integer({ description: "the rollup input that carries the record" })),
  noticeIndex: Type.Optional(Type.Integer({ description: "the output index of the notice that lists the record" })),
  reason: Type.Optional(
    Type.String({
      description:
        "the dApp's reason, when rejected; registration_rejected:<the dApp's reason> or device_revoked for a reading withdrawn unsent because the chain refuses its device",
    }),
  ),
  period: Type.Optional(DecimalString),
  settlementTxHash: Type.Optional(Bytes32),
});

export const InclusionProof = Type.Object({
  period: DecimalString,
  recordHash: hexBytes(32, "keccak256 of the record's wire encoding: the leaf"),
  index: Type.Integer({ description: "the leaf's index in the period's records tree" }),
  proof: Type.Array(Bytes32, { description: "siblings bottom-up, ceil(log2(recordCount)) of them" }),
  recordsRoot: Bytes32,
  recordCount: DecimalString,
  settlementAddress: Address,
  settlementTxHash: Type.Union([Bytes32, Type.Null()]),
  verifiedOnChain: Type.Boolean({
    description: "LcoreSettlement.verifyRecord(period, recordHash, index, proof), by eth_call now",
  }),
});

export const BatchBody = Type.Object(
  {
    readings: Type.Array(DeviceReading, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export const BatchReceipts = Type.Object({ receipts: Type.Array(Receipt) });

export const RegisterDevice = Type.Object(
  {
    publicKey: PublicKey,
    proof: Type.String({
      pattern: "^0x[0-9a-fA-F]{128}$",
      description:
        "the device key's low-s signature of registrationProofDigest(chainId, app, owner) from GET /v1/info (PROTOCOL §3.3)",
    }),
    metadata: Type.Optional(Type.String({ description: "opaque device metadata (type, unit, scale), UTF-8" })),
  },
  { additionalProperties: false },
);

export const ChainStatus = Type.Union(
  [Type.Literal("pending"), Type.Literal("registered"), Type.Literal("registration_rejected"), Type.Literal("revoked")],
  {
    description:
      "pending (the dApp's verdict on the registration not read yet) → registered | registration_rejected (the dApp rejected this gateway's registration); registered → revoked (a device_revoked notice named it). Readings of a rejected or revoked device are refused with 409",
  },
);

export const Device = Type.Object({
  device: Address,
  chainStatus: ChainStatus,
  chainReason: Type.Optional(
    Type.String({
      description:
        "registration_rejected: the dApp's reject reason (device_exists, bad_device_proof, …); revoked: device_revoked",
    }),
  ),
  publicKey: Type.String({ description: "x || y, 0x-hex" }),
  metadata: Type.String(),
  custodial: Type.Boolean({ description: "true for MVP devices whose key the gateway holds" }),
  format: Type.Optional(
    Type.String({ description: "ioid-sdk or jws-es256 for a device of another message format (PROTOCOL §12)" }),
  ),
  lastSeq: Type.Union([DecimalString, Type.Null()]),
  registeredAt: Type.String(),
  registration: Type.Object({
    status: ReadingStatusName,
    final: Type.Optional(FinalFlag),
    txHash: Type.Optional(Bytes32),
    inputIndex: Type.Optional(Type.Integer()),
  }),
});

export const DeviceParams = Type.Object({ device: Address });
export const ReadingParams = Type.Object({ device: Address, seq: Type.String({ pattern: "^[0-9]{1,20}$" }) });

export const RecordsQuery = Type.Object(
  {
    fromSeq: Type.Optional(Type.String({ pattern: "^[0-9]{1,20}$", description: "first seq to return (default 0)" })),
    limit: Type.Optional(
      Type.String({ pattern: "^[0-9]{1,4}$", description: "page size (default and maximum: the records page bound)" }),
    ),
  },
  { additionalProperties: false },
);

export const PlainRecord = Type.Object({
  seq: DecimalString,
  timestamp: DecimalString,
  nonce: Nonce,
  value: DecimalString,
  payload: Type.String({ description: "0x-hex" }),
  payloadText: Type.Optional(Type.String({ description: "the payload decoded as UTF-8, when it is valid UTF-8" })),
  digest: Bytes32,
  status: ReadingStatusName,
  final: FinalFlag,
  inputIndex: Type.Optional(Type.Integer()),
  reason: Type.Optional(Type.String()),
});

export const RecordsPage = Type.Object({
  device: Address,
  records: Type.Array(PlainRecord),
  nextSeq: Type.Union([DecimalString, Type.Null()], { description: "fromSeq of the next page, null at the end" }),
});

export const Info = Type.Object({
  app: Address,
  chainId: DecimalString,
  owner: Type.Object(
    { address: Address },
    { description: "the account that submits inputs and owns registered devices on chain" },
  ),
  inputBox: Type.Union([Address, Type.Null()]),
  signature: Type.Literal("secp256k1 ECDSA over SHA-256(M), compact r || s, low-s (PROTOCOL §1)"),
  limits: Type.Object({
    payloadBytes: Type.Integer(),
    batchReadings: Type.Integer(),
    metadataBytes: Type.Integer(),
    deviceRatePerSecond: Type.Number(),
    deviceRateBurst: Type.Integer(),
    futureSkewSeconds: Type.Integer(),
  }),
  mvpCompat: Type.Boolean(),
});

export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.Union(Object.keys(ERRORS).map((c) => Type.Literal(c))),
    error: Type.String(),
    message: Type.String(),
  },
  { additionalProperties: true, description: "every error; `code` is stable (gateway/README.md lists them)" },
);

const UpstreamHealth = Type.Object({
  up: Type.Boolean({ description: "false from a call it did not answer until its next answer" }),
  lastSuccessAt: Type.Union([Type.String(), Type.Null()]),
  secondsSinceSuccess: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Optional(Type.String()),
});

export const Health = Type.Object({
  status: Type.Union([Type.Literal("ok"), Type.Literal("degraded"), Type.Literal("shutting-down")], {
    description:
      "ok; degraded: readings are still taken into the outbox, but something downstream does not move (reasons); shutting-down. Always HTTP 200: restarting the gateway mends none of the reasons",
  }),
  reasons: Type.Array(
    Type.Object({
      code: Type.String({
        description:
          "chain_unreachable, node_unreachable, inclusion_stalled, verdicts_stalled, loop_failing, claim_missing, settlement_stalled",
      }),
      message: Type.String(),
      since: Type.String({ description: "ISO 8601" }),
    }),
  ),
  outboxQueued: Type.Integer(),
  devices: Type.Integer(),
  signatureBackend: Type.String(),
  paused: Type.Boolean({ description: "the Cartesi path is paused (chain/cartesiSwitch.ts): nothing is sent" }),
  chain: Type.Optional(UpstreamHealth),
  node: Type.Optional(UpstreamHealth),
  oldestWaitingSeconds: Type.Object({
    inclusion: Type.Union([Type.Integer(), Type.Null()], {
      description: "the oldest reading or input not yet mined (null: none)",
    }),
    verdict: Type.Union([Type.Integer(), Type.Null()], {
      description: "the oldest mined input without the node's verdict (null: none)",
    }),
  }),
});

/** PROTOCOL §10: publish the period key of one device and one disclosure period. */
export const DisclosureBody = Type.Object(
  {
    device: Address,
    period: Type.Integer({
      minimum: 0,
      maximum: 0xffff_ffff,
      description:
        "disclosure period (u32): floor(device timestamp / 86,400), one UTC day of device time (PROTOCOL §1)",
    }),
    aggregateVoucher: Type.Optional(
      Type.Boolean({ description: "also have the dApp emit LcoreSettlement.recordAggregate (default false)" }),
    ),
  },
  { additionalProperties: false },
);
export type DisclosureBody = Static<typeof DisclosureBody>;

export const DisclosureParams = Type.Object({ id: Type.String({ pattern: "^[0-9]{1,15}$" }) });

export const DisclosureReceipt = Type.Object({
  id: Type.Integer({ description: "the disclosure's id at this gateway" }),
  device: Address,
  period: Type.Integer(),
  status: ReadingStatusName,
  statusUrl: Type.String(),
});

export const DisclosureStatus = Type.Object({
  id: Type.Integer(),
  device: Address,
  period: Type.Integer(),
  aggregateVoucher: Type.Boolean(),
  requestedAt: Type.String({ description: "ISO 8601" }),
  status: ReadingStatusName,
  txHash: Type.Optional(Bytes32),
  blockNumber: Type.Optional(Type.Integer()),
  inputIndex: Type.Optional(
    Type.Integer({
      description: "the rollup input that carries the key (of a pruned day: the part the status is read from)",
    }),
  ),
  noticeIndex: Type.Optional(Type.Integer({ description: "the output index of the dApp's 0x91 notice" })),
  parts: Type.Optional(
    Type.Integer({
      description:
        "a pruned day's disclosure (PROTOCOL §11.1): how many 0x12 inputs carry its pruned records; absent for a key disclosure (0x11)",
    }),
  ),
  prunedRecords: Type.Optional(
    Type.Integer({ description: "a pruned day's disclosure: the pruned records the parts carry, with their proofs" }),
  ),
  reason: Type.Optional(Type.String({ description: "the dApp's reason, when rejected (PROTOCOL §10)" })),
  failedRecord: Type.Optional(
    Type.Object(
      {
        device: Address,
        seq: DecimalString,
        recordHash: Bytes32,
      },
      {
        description:
          "when rejected because one record did not open or its body did not match: that record, as the dApp's rejection named it",
      },
    ),
  ),
  aggregate: Type.Optional(
    Type.Object(
      {
        count: DecimalString,
        sum: DecimalString,
        min: DecimalString,
        max: DecimalString,
        stateHash: Bytes32,
      },
      { description: "from the dApp's 0x91 notice: the period's readings as the dApp verified them" },
    ),
  ),
  aggregateOnChain: Type.Optional(
    Type.Object(
      {
        outputIndex: Type.Integer({ description: "the recordAggregate voucher's output index" }),
        executed: Type.Boolean({
          description: "executed through the Application: LcoreSettlement.aggregate(device, period) holds it",
        }),
        executedTx: Type.Optional(Bytes32),
      },
      {
        description:
          "with aggregateVoucher: the dApp's recordAggregate voucher, once read, and whether the gateway has executed it",
      },
    ),
  ),
});

/** GET /v1/overview: what the console at / draws. Public: all of it is on chain or in public receipts. */
export const Overview = Type.Object({
  devices: Type.Array(
    Type.Object({
      device: Address,
      lastSeq: Type.Union([DecimalString, Type.Null()]),
      registration: Type.Object({ status: ReadingStatusName, txHash: Type.Optional(Bytes32) }),
      chainStatus: ChainStatus,
      chainReason: Type.Optional(
        Type.String({ description: "why the chain refuses the device: the dApp's reason, or device_revoked" }),
      ),
    }),
    { description: "at most 200 devices, in registration order" },
  ),
  readings: Type.Array(
    Type.Object({
      device: Address,
      seq: DecimalString,
      status: ReadingStatusName,
      final: FinalFlag,
      receivedAt: Type.String(),
      txHash: Type.Optional(Bytes32),
      inputIndex: Type.Optional(Type.Integer()),
      period: Type.Optional(DecimalString),
      reason: Type.Optional(Type.String()),
    }),
    { description: "the newest readings, newest first" },
  ),
  periods: Type.Array(
    Type.Object({
      period: DecimalString,
      recordCount: Type.Union([DecimalString, Type.Null()]),
      recordsRoot: Type.Union([Bytes32, Type.Null()]),
      executedTx: Type.Union([Bytes32, Type.Null()]),
      executedAt: Type.Union([Type.String(), Type.Null()]),
    }),
    { description: "the newest settlement periods, newest first" },
  ),
  perMinute: Type.Array(
    Type.Object({
      minute: Type.Integer({ description: "Unix minute of the gateway's clock" }),
      device: Address,
      count: Type.Integer(),
    }),
    {
      description:
        "readings received per minute and device over the last hour, for the hour's busiest devices (at most OVERVIEW_CHART_DEVICES, console/consoleRoutes.ts)",
    },
  ),
  perMinuteTotal: Type.Array(Type.Object({ minute: Type.Integer(), count: Type.Integer() }), {
    description: "readings received per minute over the last hour, all devices",
  }),
  nowMinute: Type.Integer({ description: "the gateway's current Unix minute: the chart's right edge" }),
  links: Type.Object({ docs: Type.String(), metrics: Type.String(), graphql: Type.Optional(Type.String()) }),
  health: Type.Object(
    {
      status: Type.Union([Type.Literal("ok"), Type.Literal("degraded")]),
      reasons: Type.Array(Type.Object({ code: Type.String(), message: Type.String(), since: Type.String() })),
    },
    { description: "what GET /healthz says" },
  ),
});
