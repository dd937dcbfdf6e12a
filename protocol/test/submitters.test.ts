import { describe, expect, it } from "vitest";
import { ByteReader } from "@lcore/protocol/bytes";
import { DecodeError } from "@lcore/protocol/errors";
import {
  MAX_SUBMITTERS_PER_OWNER,
  decodeSubmitterNotice,
  encodeSubmitterGrant,
  encodeSubmitterNotice,
  readSubmitterGrant,
} from "@lcore/protocol/submitters";

const submitter = new Uint8Array(20).fill(0xab);
const owner = new Uint8Array(20).fill(0x11);

function body(bytes: Uint8Array): ByteReader {
  const r = new ByteReader(bytes);
  expect(r.u8("kind")).toBe(0x05);
  expect(r.u8("version")).toBe(0x01);
  return r;
}

describe("submitter allow-list codec", () => {
  it("encodes a grant and a revoke as 0x05 0x01 action submitter(20)", () => {
    const grant = encodeSubmitterGrant({ allowed: true, submitter });
    expect(Buffer.from(grant).toString("hex")).toBe(`050101${"ab".repeat(20)}`);
    expect(readSubmitterGrant(body(grant))).toEqual({ kind: "submitter_grant", allowed: true, submitter });
    const revoke = encodeSubmitterGrant({ allowed: false, submitter });
    expect(revoke[2]).toBe(0);
    expect(readSubmitterGrant(body(revoke)).allowed).toBe(false);
  });

  it("refuses an unknown action, a short submitter and trailing bytes with a typed reason", () => {
    const bad = encodeSubmitterGrant({ allowed: true, submitter });
    bad[2] = 2;
    expect(() => readSubmitterGrant(body(bad))).toThrow(expect.objectContaining({ reason: "bad_submitter_action" }));
    expect(() => readSubmitterGrant(body(bad.slice(0, 10)))).toThrow(DecodeError);
    const long = new Uint8Array([...encodeSubmitterGrant({ allowed: true, submitter }), 0]);
    expect(() => readSubmitterGrant(body(long))).toThrow(expect.objectContaining({ reason: "trailing_bytes" }));
  });

  it("round-trips the 0x85 notice", () => {
    const stateHash = new Uint8Array(32).fill(7);
    const n = encodeSubmitterNotice({ stateHash, owner, submitter, allowed: true });
    expect(n.length).toBe(75);
    expect(n[0]).toBe(0x85);
    expect(decodeSubmitterNotice(n)).toEqual({ kind: "submitter", stateHash, owner, submitter, allowed: true });
  });

  it("bounds an owner's list at 16", () => {
    expect(MAX_SUBMITTERS_PER_OWNER).toBe(16);
  });
});
