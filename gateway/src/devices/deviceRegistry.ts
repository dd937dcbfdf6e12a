// The registered devices, in memory for the hot path and in the outbox for restarts.
//
// Registering a device writes, in one transaction, the device and the registration
// input that will carry it to the dApp; inputs reach the chain in creation order, so a
// device's registration always lands before any batch holding its readings.
//
// The gateway follows the chain about its devices (deviceMarks.ts): a device
// whose registration the dApp rejected, or that was revoked on chain, is marked, and its
// readings are refused from then on (readings/ingest.ts).

import { MAX_METADATA_LENGTH } from "@lcore/protocol/bounds";
import { encodeDeviceRegistration } from "@lcore/protocol/deviceInputs";
import { deviceAddress, rawPublicKey, registrationProofDigest } from "@lcore/protocol/deviceMessage";
import { GatewayError } from "../http/errors.js";
import { toHex } from "@lcore/protocol/bytes";
import type { Outbox } from "../outbox/outbox.js";
import type { ChainMark, DeviceRow } from "../outbox/deviceStore.js";
import type { PreparedKey, SignatureVerifier } from "./signature.js";
import { encodeFormatRegistration, isP256Format, p256DeviceAddress } from "@lcore/protocol/deviceFormats";
import type { DeviceFormatRow } from "../outbox/deviceFormatStore.js";
import type { Statement } from "../outbox/writer.js";
import { type FormatRequest, p256Prepared, verifyP256 } from "../formats/p256.js";

export interface DeviceState {
  address: Uint8Array;
  /** Lower-case 0x-hex of the address: the map key and the API's spelling. */
  hex: string;
  publicKey: Uint8Array;
  key: PreparedKey;
  metadata: string;
  mvpId: string | null;
  /** Last seq accepted into the outbox, including readings whose commit is still running. */
  lastSeq: bigint | null;
  registeredMs: number;
  inputId: number;
  /** Set once the chain refuses the device (after the mark's write committed); null before. */
  chainMark: ChainMark | null;
  /** PROTOCOL §12: 0 lcore (POST /v1/readings), 1 ioID-SDK (POST /v1/task), 2 JWS ES256 (POST /advance). */
  format: number;
  /** JWS devices: the payload field that is the value, and its scale; "" and 0 otherwise. */
  valueField: string;
  scale: number;
  /** The lcore-device-sdk device_id of a JWS device, else null. */
  sdkId: string | null;
}

/** The reason a withdrawn reading of a marked device ends with: the dApp's skip reason for a revoked device, or the registration's. */
export function withdrawnReason(mark: ChainMark): string {
  return mark.status === "revoked" ? "device_revoked" : `registration_rejected:${mark.reason}`;
}

/** The mark a device has once `mark` is applied: the same rule as DeviceStore.markStatement. */
export function effectiveMark(current: ChainMark | null, mark: ChainMark): ChainMark {
  if (current === null || (mark.status === "registration_rejected" && current.status === "revoked")) return mark;
  return current;
}

export interface RegistryContext {
  app: Uint8Array;
  chainId: bigint;
  /** On-chain owner of the devices this gateway registers: the submitting account (auth = sender). */
  owner: Uint8Array;
  maxDevices: number;
  metadataBytes: number;
}

export class DeviceRegistry {
  readonly #outbox: Outbox;
  readonly #verifier: SignatureVerifier;
  readonly #ctx: RegistryContext;
  readonly #devices = new Map<string, DeviceState>();
  readonly #byMvpId = new Map<string, DeviceState>();
  readonly #bySdkId = new Map<string, DeviceState>();
  /** Addresses and MVP ids whose registration is being written: a second one is refused, readings wait for the first. */
  readonly #registering = new Set<string>();

  constructor(outbox: Outbox, verifier: SignatureVerifier, ctx: RegistryContext) {
    this.#outbox = outbox;
    this.#verifier = verifier;
    this.#ctx = ctx;
    const formats = new Map(outbox.deviceFormats.all().map((f) => [toHex(f.address), f]));
    for (const row of outbox.devices.all()) this.#remember(row, undefined, formats.get(toHex(row.address)));
  }

  /** A JWS device by its lcore-device-sdk device_id. */
  bySdkId(sdkId: string): DeviceState | undefined {
    return this.#bySdkId.get(sdkId);
  }

  /**
   * Registers a device of another format (PROTOCOL §12.1) with input 0x06: checks the key, the
   * (low-s) proof when there is one, and stores the device, its format, its input and `also`
   * (e.g. the end of a pending SDK registration) in one transaction.
   */
  async registerFormat(req: FormatRequest, nowMs: number, also: Statement[] = []): Promise<DeviceState> {
    const metadata = new TextEncoder().encode(req.metadata);
    if (metadata.length > Math.min(this.#ctx.metadataBytes, MAX_METADATA_LENGTH))
      throw new GatewayError("LCORE_GW_INVALID_REQUEST", `metadata is ${metadata.length} bytes, over the bound`);
    const p256 = isP256Format(req.format);
    const key = p256 ? p256Prepared(req.publicKey) : this.#verifier.prepare(req.publicKey);
    if (key === null) throw new GatewayError("LCORE_GW_PUBLIC_KEY_INVALID");
    const address = p256 ? p256DeviceAddress(req.publicKey) : deviceAddress(req.publicKey);
    const hex = toHex(address);
    const sdkKey = req.sdkId === null ? null : `sdk:${req.sdkId}`;
    if (
      this.#devices.has(hex) ||
      this.#registering.has(hex) ||
      (sdkKey !== null && (this.#bySdkId.has(req.sdkId!) || this.#registering.has(sdkKey)))
    )
      throw new GatewayError("LCORE_GW_DEVICE_EXISTS", undefined, { details: { device: hex } });
    if (req.proof.length > 0) {
      const ok = p256
        ? verifyP256(this.proofDigest(), req.publicKey, req.proof)
        : this.#verifier.verify(key, this.proofDigest(), req.proof) === "ok";
      if (!ok) throw new GatewayError("LCORE_GW_PROOF_INVALID");
    }
    if (this.#devices.size + this.#registering.size >= this.#ctx.maxDevices)
      throw new GatewayError("LCORE_GW_DEVICE_LIMIT");
    const payload = encodeFormatRegistration({ ...req, metadata, auth: { kind: "sender" } });
    const input = this.#outbox.inputs.create("registration", payload, nowMs);
    const row = {
      address,
      publicKey: req.publicKey,
      metadata: req.metadata,
      mvpId: null,
      registeredMs: nowMs,
      inputId: input.id,
    };
    const format = { address, format: req.format, scale: req.scale, valueField: req.valueField, sdkId: req.sdkId };
    this.#registering.add(hex);
    if (sdkKey !== null) this.#registering.add(sdkKey);
    try {
      await this.#outbox.write([
        input.statement,
        this.#outbox.devices.insertStatement(row),
        this.#outbox.deviceFormats.insertStatement(format),
        ...also,
      ]);
    } finally {
      this.#registering.delete(hex);
      if (sdkKey !== null) this.#registering.delete(sdkKey);
    }
    return this.#remember({ ...row, lastSeq: null, chainMark: null }, key, format);
  }

  get size(): number {
    return this.#devices.size;
  }

  /** By lower-case 0x-hex address. */
  get(hex: string): DeviceState | undefined {
    return this.#devices.get(hex);
  }

  /** At most `limit` devices, in registration order. */
  list(limit: number): DeviceState[] {
    const out: DeviceState[] = [];
    for (const d of this.#devices.values()) {
      if (out.length === limit) break;
      out.push(d);
    }
    return out;
  }

  /**
   * The device's key is now `publicKey` (a rotation on chain, already written to the
   * outbox): readings verify against it from here on, as the dApp's records do.
   */
  rotated(state: DeviceState, publicKey: Uint8Array): void {
    const key = this.#verifier.prepare(publicKey);
    if (key === null) throw new Error(`device ${state.hex}: the rotated key is not on the curve`);
    state.publicKey = publicKey;
    state.key = key;
  }

  byMvpId(mvpId: string): DeviceState | undefined {
    return this.#byMvpId.get(mvpId);
  }

  /** What the device key must sign to be registered here: registrationProofDigest(chainId, app, owner). */
  proofDigest(): Uint8Array {
    return registrationProofDigest(this.#ctx.chainId, this.#ctx.app, this.#ctx.owner);
  }

  /**
   * Validates the key and its proof of possession, then stores the device and its
   * registration input in one transaction. Throws a GatewayError (or the write's
   * error); stores nothing then.
   */
  async register(
    req: { publicKey: Uint8Array; proof: Uint8Array; metadata: string; mvpId: string | null },
    nowMs: number,
  ): Promise<DeviceState> {
    const metadata = new TextEncoder().encode(req.metadata);
    const bound = Math.min(this.#ctx.metadataBytes, MAX_METADATA_LENGTH);
    if (metadata.length > bound) {
      throw new GatewayError("LCORE_GW_INVALID_REQUEST", `metadata is ${metadata.length} bytes, over ${bound}`);
    }
    let publicKey: Uint8Array;
    try {
      publicKey = rawPublicKey(req.publicKey).slice();
    } catch {
      throw new GatewayError(
        "LCORE_GW_PUBLIC_KEY_INVALID",
        "public key must be 64 bytes (x || y) or 65 bytes (0x04 || x || y)",
      );
    }
    const key = this.#verifier.prepare(publicKey);
    if (key === null) throw new GatewayError("LCORE_GW_PUBLIC_KEY_INVALID");
    const address = deviceAddress(publicKey);
    const hex = toHex(address);
    const mvpKey = req.mvpId === null ? null : `mvp:${req.mvpId}`;
    if (
      this.#devices.has(hex) ||
      this.#registering.has(hex) ||
      (req.mvpId !== null && (this.#byMvpId.has(req.mvpId) || this.#registering.has(mvpKey!)))
    ) {
      throw new GatewayError("LCORE_GW_DEVICE_EXISTS", undefined, { details: { device: hex } });
    }
    const proofCheck = this.#verifier.verify(key, this.proofDigest(), req.proof);
    if (proofCheck !== "ok") {
      throw new GatewayError(
        "LCORE_GW_PROOF_INVALID",
        proofCheck === "high-s" ? "the proof's s is above n/2" : undefined,
      );
    }
    if (this.#devices.size + this.#registering.size >= this.#ctx.maxDevices)
      throw new GatewayError("LCORE_GW_DEVICE_LIMIT");

    const payload = encodeDeviceRegistration({ publicKey, proof: req.proof, metadata, auth: { kind: "sender" } });
    const input = this.#outbox.inputs.create("registration", payload, nowMs);
    const row: Omit<DeviceRow, "lastSeq" | "chainMark"> = {
      address,
      publicKey,
      metadata: req.metadata,
      mvpId: req.mvpId,
      registeredMs: nowMs,
      inputId: input.id,
    };
    this.#registering.add(hex);
    if (mvpKey !== null) this.#registering.add(mvpKey);
    try {
      // The device and its registration input, in one transaction.
      await this.#outbox.write([input.statement, this.#outbox.devices.insertStatement(row)]);
    } finally {
      this.#registering.delete(hex);
      if (mvpKey !== null) this.#registering.delete(mvpKey);
    }
    return this.#remember({ ...row, lastSeq: null, chainMark: null }, key);
  }

  #remember(row: DeviceRow, prepared?: PreparedKey, format?: DeviceFormatRow): DeviceState {
    const p256 = format !== undefined && isP256Format(format.format);
    const key = prepared ?? (p256 ? p256Prepared(row.publicKey) : this.#verifier.prepare(row.publicKey));
    if (key === null) throw new Error(`stored device ${toHex(row.address)} has an invalid key`);
    const state: DeviceState = {
      address: row.address,
      hex: toHex(row.address),
      publicKey: row.publicKey,
      key,
      metadata: row.metadata,
      mvpId: row.mvpId,
      lastSeq: row.lastSeq,
      registeredMs: row.registeredMs,
      inputId: row.inputId,
      chainMark: row.chainMark,
      format: format?.format ?? 0,
      valueField: format?.valueField ?? "",
      scale: format?.scale ?? 0,
      sdkId: format?.sdkId ?? null,
    };
    this.#devices.set(state.hex, state);
    if (state.mvpId !== null) this.#byMvpId.set(state.mvpId, state);
    if (state.sdkId !== null) this.#bySdkId.set(state.sdkId, state);
    return state;
  }
}
