// Every error the gateway answers with: one stable code, one HTTP status, one line of
// meaning. Clients match on `code`, never on `message`. gateway/README.md lists the same
// table; a test keeps the two in step.
//
// Messages never contain secrets (keys, tokens, plaintext): they describe what was
// wrong with the request, not the request's confidential content.

export const ERRORS = {
  // ── request shape (nothing was looked at beyond the bytes) ──
  LCORE_GW_INVALID_REQUEST: { status: 400, meaning: "the body, path or query does not match the route's schema" },
  LCORE_GW_MALFORMED_JSON: { status: 400, meaning: "the body is not valid JSON" },
  LCORE_GW_EMPTY_BODY: { status: 400, meaning: "the route needs a JSON body and none was sent" },
  LCORE_GW_BODY_TOO_LARGE: { status: 413, meaning: "the body is larger than the route's bound" },
  LCORE_GW_UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: "the body is not application/json" },
  LCORE_GW_NUMBER_OUT_OF_RANGE: { status: 400, meaning: "seq is not a u64, timestamp not a u64 or value not an i64" },
  LCORE_GW_ROUTE_NOT_FOUND: { status: 404, meaning: "no such route" },
  LCORE_GW_PARAM_TOO_LONG: { status: 414, meaning: "a path parameter is longer than 100 characters" },
  LCORE_GW_BAD_URL: { status: 400, meaning: "the path is not valid percent-encoding" },
  LCORE_GW_HEADERS_TOO_LARGE: { status: 431, meaning: "the request's headers are larger than Node's bound (16 KiB)" },
  LCORE_GW_REQUEST_TIMEOUT: { status: 408, meaning: "the request did not arrive whole in time" },
  LCORE_GW_BAD_HTTP: { status: 400, meaning: "the request is not well-formed HTTP/1.1" },

  // ── devices ──
  LCORE_GW_DEVICE_UNKNOWN: { status: 404, meaning: "no device with this address is registered at this gateway" },
  LCORE_GW_DEVICE_EXISTS: {
    status: 409,
    meaning: "a device with this public key (or MVP device_id) is already registered",
  },
  LCORE_GW_PUBLIC_KEY_INVALID: { status: 400, meaning: "the public key is not a point on secp256k1" },
  LCORE_GW_PROOF_INVALID: {
    status: 422,
    meaning: "the registration proof is not the device key's low-s signature of the registration digest (GET /v1/info)",
  },
  LCORE_GW_DEVICE_LIMIT: { status: 507, meaning: "the gateway holds its maximum number of devices" },
  LCORE_GW_DEVICE_REGISTRATION_REJECTED: {
    status: 409,
    meaning:
      "the dApp rejected this gateway's registration of the device (the message and `reason` give the dApp's reason, e.g. device_exists); its readings are refused",
  },
  LCORE_GW_DEVICE_REVOKED: {
    status: 409,
    meaning:
      "the device was revoked on chain (a device_revoked notice, whichever relayer sent the revocation); its readings are refused",
  },

  // ── readings ──
  LCORE_GW_SIGNATURE_INVALID: {
    status: 422,
    meaning: "the signature does not verify against the device's registered key",
  },
  LCORE_GW_SIGNATURE_HIGH_S: {
    status: 422,
    meaning: "the signature's s is above n/2; only the low-s form is accepted",
  },
  LCORE_GW_SEQ_STALE: {
    status: 409,
    meaning: "seq is not above the device's last accepted seq (replayed or out of order)",
  },
  LCORE_GW_READING_DUPLICATE: {
    status: 409,
    meaning: "this exact reading was already accepted; the body carries its receipt",
  },
  LCORE_GW_TIMESTAMP_IN_FUTURE: {
    status: 422,
    meaning: "timestamp is further ahead of the gateway's clock than the allowed skew",
  },
  LCORE_GW_RATE_LIMITED: {
    status: 429,
    meaning:
      "over a rate limit (a device's readings, MVP registrations, or proof-tree builds); retry after Retry-After seconds",
  },
  LCORE_GW_READING_NOT_FOUND: { status: 404, meaning: "no reading with this device and seq at this gateway" },
  LCORE_GW_READING_NOT_ACCEPTED: {
    status: 409,
    meaning: "the reading is not (or not yet) accepted by the dApp, so it has no inclusion proof",
  },
  LCORE_GW_READING_NOT_SETTLED: {
    status: 409,
    meaning: "the reading's settlement period is not settled on chain yet; retry later",
  },

  // ── authentication ──
  LCORE_GW_UNAUTHORIZED: { status: 401, meaning: "the route needs the owner token (Authorization: Bearer ...)" },
  LCORE_GW_MVP_COMPAT_DISABLED: { status: 403, meaning: "the operator disabled the MVP compatibility routes" },

  // ── the gateway itself ──
  LCORE_GW_OUTBOX_FULL: {
    status: 503,
    meaning: "the outbox holds its maximum of unsubmitted readings; retry after Retry-After seconds",
  },
  LCORE_GW_STORAGE_FAILED: { status: 503, meaning: "the outbox could not commit; nothing was stored, retry" },
  LCORE_GW_STORAGE_BUSY: {
    status: 503,
    meaning:
      "an earlier request is still committing this migrated row; nothing was stored by this one, retry after Retry-After seconds",
  },
  LCORE_GW_CHAIN_UNAVAILABLE: {
    status: 503,
    meaning: "the gateway has no chain configured, or the chain did not answer; retry",
  },
  LCORE_GW_SHUTTING_DOWN: {
    status: 503,
    meaning: "the gateway is shutting down; nothing was stored, retry elsewhere or later",
  },
  LCORE_GW_INTERNAL: {
    status: 500,
    meaning: "an unexpected error; nothing secret is in the answer, the log has the details",
  },

  // ── key disclosures (PROTOCOL §10) ──
  LCORE_GW_PERIOD_NOT_OVER: {
    status: 409,
    meaning: "the disclosure period has not ended on the gateway's clock; readings of it may still arrive",
  },
  LCORE_GW_DISCLOSURE_NO_READINGS: {
    status: 422,
    meaning: "the gateway holds no reading of this device in this disclosure period",
  },
  LCORE_GW_DISCLOSURE_READINGS_QUEUED: {
    status: 409,
    meaning:
      "readings of this period are not yet in an input, so the disclosure would overtake them; retry after Retry-After seconds",
  },
  LCORE_GW_DISCLOSURE_EXISTS: {
    status: 409,
    meaning:
      "this device's period is disclosed or being disclosed (the body names the disclosure); only a rejected one may be asked again",
  },
  LCORE_GW_DISCLOSURE_NOT_FOUND: { status: 404, meaning: "no disclosure with this id at this gateway" },
  LCORE_GW_DISCLOSURE_WINDOW_CLOSED: {
    status: 422,
    meaning:
      "the disclosure period is more than 31 days before the gateway's day; the dApp refuses it (disclosure_window_closed, PROTOCOL §11)",
  },
  LCORE_GW_DISCLOSURE_INCOMPLETE: {
    status: 409,
    meaning:
      "the dApp holds a disclosure of this pruned day under way and the gateway has no further pruned record of it to send (not yet seen settled, or sent by another relayer); retry after Retry-After seconds",
  },
  LCORE_GW_FORMAT_INVALID: {
    status: 400,
    meaning:
      "an ioID-SDK or lcore-device-sdk message is not what its format says (PROTOCOL §12); `reason` is the format error's code",
  },
  LCORE_GW_DEVICE_FORMAT: {
    status: 409,
    meaning: "the device is registered with another message format: send its readings on its own route (PROTOCOL §12)",
  },
  LCORE_GW_DEVICE_PENDING: {
    status: 409,
    meaning:
      "the lcore-device-sdk device is registered but waits for the owner's approval (POST /v1/devicesdk/pending/{device_id}/approve)",
  },
  LCORE_GW_DEVICE_NOT_PENDING: { status: 404, meaning: "no lcore-device-sdk registration waits under this device_id" },
  LCORE_GW_PERIOD_DISCLOSED: {
    status: 409,
    meaning:
      "the reading's disclosure period was disclosed: its key is public, so the reading is refused rather than sealed under it",
  },

  // ── evidence bundles (docs/EVIDENCE.md) ──
  LCORE_GW_EVIDENCE_EMPTY: {
    status: 404,
    meaning: "no accepted reading of the devices in the range (or of the seqs asked for) at this gateway",
  },
  LCORE_GW_EVIDENCE_NOT_SETTLED: {
    status: 409,
    meaning:
      "a reading of the range is not settled on chain yet, or its settlement transaction is unknown to the gateway; retry later or narrow the range",
  },
  LCORE_GW_EVIDENCE_TOO_LARGE: {
    status: 413,
    meaning: "the bundle would hold more readings than one export allows (50,000); export a shorter range",
  },
  // ── a fleet of applications (fleet/) ──
  LCORE_GW_FLEET_MIXED_BATCH: {
    status: 400,
    meaning:
      "a batch holds readings of devices in different shards; a batch is all or none and one shard's input, so send one batch per shard",
  },
  LCORE_GW_FLEET_SHARD_UNKNOWN: { status: 404, meaning: "the fleet has no shard with this index" },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type GatewayErrorCode = keyof typeof ERRORS;

/** An error with a stable code; the error handler turns it into `{statusCode, code, error, message, ...details}`. */
export class GatewayError extends Error {
  override name = "GatewayError";
  readonly code: GatewayErrorCode;
  readonly statusCode: number;
  /** Extra fields for the response body (the index of a bad reading in a batch, a duplicate's receipt). */
  readonly details: Record<string, unknown> | undefined;
  /** Seconds for a Retry-After header (429, 503). */
  readonly retryAfter: number | undefined;

  constructor(
    code: GatewayErrorCode,
    message?: string,
    extra?: { details?: Record<string, unknown>; retryAfter?: number; cause?: unknown },
  ) {
    super(message ?? ERRORS[code].meaning, extra?.cause === undefined ? undefined : { cause: extra.cause });
    this.code = code;
    this.statusCode = ERRORS[code].status;
    this.details = extra?.details;
    this.retryAfter = extra?.retryAfter;
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  statusCode: number;
  code: GatewayErrorCode;
  error: string;
  message: string;
  [detail: string]: unknown;
}
