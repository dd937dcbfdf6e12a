// Run-time checks of JSON-RPC answers against the types @cartesi/rpc declares. The client ships
// TypeScript types only (no zod/valibot schemas), so each type gets a shape here whose keys the
// compiler holds to the client's type (`Shape<T>` needs exactly T's keys): a field added to or
// renamed in the client breaks the typecheck, a field the devnet serves wrongly breaks the test.

import type {
  Application,
  ApplicationState,
  ConsensusType,
  Epoch,
  EpochStatus,
  Input,
  InputStatus,
  Output,
  Pagination,
  Report,
  SnapshotPolicy,
} from "@cartesi/rpc";

export type Check = (value: unknown, path: string) => void;
type Shape<T> = { [K in keyof T]-?: Check };

function fail(path: string, what: string, value: unknown): never {
  throw new Error(`${path}: expected ${what}, got ${JSON.stringify(value)}`);
}

const pattern =
  (re: RegExp, what: string): Check =>
  (v, p) => {
    if (typeof v !== "string" || !re.test(v)) fail(p, what, v);
  };

/** go-ethereum's hexutil.Uint64: 0x-prefixed, lowercase, no leading zeros. */
export const hexNumber = pattern(/^0x(0|[1-9a-f][0-9a-f]*)$/, "a hex quantity");
/** Bytes as the Go node marshals them: 0x-prefixed, lowercase, whole bytes. */
export const hex = pattern(/^0x([0-9a-f]{2})*$/, "hex bytes");
export const hash = pattern(/^0x[0-9a-f]{64}$/, "a 32-byte hash");
/** Addresses: the node marshals some lowercase and some checksummed; both are valid `Address`. */
export const address = pattern(/^0x[0-9a-fA-F]{40}$/, "an address");
export const dateTime: Check = (v, p) => {
  if (typeof v !== "string" || Number.isNaN(Date.parse(v))) fail(p, "an ISO date-time", v);
};
export const string: Check = (v, p) => {
  if (typeof v !== "string") fail(p, "a string", v);
};
/** Pagination counts are JSON numbers, not hex (the client's `Pagination` is `number`). */
export const count: Check = (v, p) => {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) fail(p, "a non-negative integer", v);
};
export const literal =
  (value: string): Check =>
  (v, p) => {
    if (v !== value) fail(p, JSON.stringify(value), v);
  };
export const nullable =
  (check: Check): Check =>
  (v, p) => {
    if (v !== null) check(v, p);
  };
export const optional =
  (check: Check): Check =>
  (v, p) => {
    if (v !== undefined) check(v, p);
  };
export const arrayOf =
  (check: Check): Check =>
  (v, p) => {
    if (!Array.isArray(v)) fail(p, "an array", v);
    for (const [i, item] of v.entries()) check(item, `${p}[${i}]`);
  };

/** Every value of a client enum: a Record so the compiler catches a value added to the client. */
export const enumOf = <T extends string>(values: Record<T, true>): Check => {
  const allowed = Object.keys(values);
  return (v, p) => {
    if (typeof v !== "string" || !allowed.includes(v)) fail(p, `one of ${allowed.join(", ")}`, v);
  };
};

export function object<T>(shape: Shape<T>): Check {
  return (v, p) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) fail(p, "an object", v);
    for (const [key, check] of Object.entries(shape) as [string, Check][])
      check((v as Record<string, unknown>)[key], `${p}.${key}`);
  };
}

export const EPOCH_STATUS: Record<EpochStatus, true> = {
  OPEN: true,
  CLOSED: true,
  INPUTS_PROCESSED: true,
  CLAIM_COMPUTED: true,
  CLAIM_SUBMITTED: true,
  CLAIM_ACCEPTED: true,
  CLAIM_REJECTED: true,
};
export const INPUT_STATUS: Record<InputStatus, true> = {
  NONE: true,
  ACCEPTED: true,
  REJECTED: true,
  EXCEPTION: true,
  MACHINE_HALTED: true,
  OUTPUTS_LIMIT_EXCEEDED: true,
  CYCLE_LIMIT_EXCEEDED: true,
  TIME_LIMIT_EXCEEDED: true,
  PAYLOAD_LENGTH_LIMIT_EXCEEDED: true,
};
const CONSENSUS_TYPE: Record<ConsensusType, true> = { AUTHORITY: true, QUORUM: true, PRT: true };
const APPLICATION_STATE: Record<ApplicationState, true> = {
  ENABLED: true,
  DISABLED: true,
  FAILED: true,
  INOPERABLE: true,
};
const SNAPSHOT_POLICY: Record<SnapshotPolicy, true> = { NONE: true, EVERY_INPUT: true, EVERY_EPOCH: true };

export const pagination = object<Pagination>({ total_count: count, limit: count, offset: count });

export const application = object<Application>({
  name: string,
  iapplication_address: address,
  iconsensus_address: address,
  iinputbox_address: address,
  template_hash: hash,
  epoch_length: hexNumber,
  data_availability: hex,
  consensus_type: enumOf(CONSENSUS_TYPE),
  state: enumOf(APPLICATION_STATE),
  reason: optional(nullable(string)),
  iinputbox_block: hexNumber,
  last_epoch_check_block: hexNumber,
  last_input_check_block: hexNumber,
  last_output_check_block: hexNumber,
  processed_inputs: hexNumber,
  created_at: dateTime,
  updated_at: dateTime,
  execution_parameters: object<Application["execution_parameters"]>({
    snapshot_policy: enumOf(SNAPSHOT_POLICY),
    advance_inc_cycles: hexNumber,
    advance_max_cycles: hexNumber,
    inspect_inc_cycles: hexNumber,
    inspect_max_cycles: hexNumber,
    advance_inc_deadline: hexNumber,
    advance_max_deadline: hexNumber,
    inspect_inc_deadline: hexNumber,
    inspect_max_deadline: hexNumber,
    load_deadline: hexNumber,
    store_deadline: hexNumber,
    fast_deadline: hexNumber,
    max_concurrent_inspects: count,
    created_at: dateTime,
    updated_at: dateTime,
  }),
});

export const epoch = object<Epoch>({
  index: hexNumber,
  first_block: hexNumber,
  last_block: hexNumber,
  input_index_lower_bound: hexNumber,
  input_index_upper_bound: hexNumber,
  machine_hash: nullable(hash),
  outputs_merkle_root: nullable(hash),
  outputs_merkle_proof: nullable(arrayOf(hash)),
  commitment: nullable(hash),
  commitment_proof: nullable(arrayOf(hash)),
  claim_transaction_hash: nullable(hash),
  tournament_address: nullable(address),
  status: enumOf(EPOCH_STATUS),
  virtual_index: hexNumber,
  created_at: dateTime,
  updated_at: dateTime,
});

export const input = object<Input>({
  epoch_index: hexNumber,
  index: hexNumber,
  block_number: hexNumber,
  raw_data: hex,
  // chain_id and prev_randao are `string` in the client's type; its viem converters read them
  // with hexToBigInt, so a hex quantity is what they need.
  decoded_data: nullable(
    object<NonNullable<Input["decoded_data"]>>({
      chain_id: hexNumber,
      application_contract: address,
      sender: address,
      block_number: hexNumber,
      block_timestamp: hexNumber,
      prev_randao: hexNumber,
      index: hexNumber,
      payload: hex,
    }),
  ),
  status: enumOf(INPUT_STATUS),
  machine_hash: nullable(hash),
  outputs_hash: nullable(hash),
  transaction_reference: hex,
  created_at: dateTime,
  updated_at: dateTime,
});

const decodedOutput: Check = (v, p) => {
  const type = (v as { type?: unknown } | null)?.type;
  if (type === "Notice") object<{ type: unknown; payload: unknown }>({ type: literal("Notice"), payload: hex })(v, p);
  else if (type === "Voucher")
    object<{ type: unknown; destination: unknown; value: unknown; payload: unknown }>({
      type: literal("Voucher"),
      destination: address,
      value: hexNumber,
      payload: hex,
    })(v, p);
  else if (type === "DelegateCallVoucher")
    object<{ type: unknown; destination: unknown; payload: unknown }>({
      type: literal("DelegateCallVoucher"),
      destination: address,
      payload: hex,
    })(v, p);
  else fail(p, "a Notice, Voucher or DelegateCallVoucher", v);
};

export const output = object<Output>({
  epoch_index: hexNumber,
  input_index: hexNumber,
  index: hexNumber,
  raw_data: hex,
  decoded_data: nullable(decodedOutput),
  hash: nullable(hash),
  output_hashes_siblings: nullable(arrayOf(hash)),
  execution_transaction_hash: nullable(hash),
  created_at: dateTime,
  updated_at: dateTime,
});

export const report = object<Report>({
  epoch_index: hexNumber,
  input_index: hexNumber,
  index: hexNumber,
  raw_data: hex,
  created_at: dateTime,
  updated_at: dateTime,
});

/** `{ data: T[], pagination }` with each item checked. */
export const page = (item: Check): Check =>
  object<{ data: unknown; pagination: unknown }>({ data: arrayOf(item), pagination });
/** `{ data: T }`. */
export const single = (item: Check): Check => object<{ data: unknown }>({ data: item });
