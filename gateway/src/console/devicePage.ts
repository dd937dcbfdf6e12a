// The console's device page (GET /v1/console/devices/{device}): the device's summary
// (deviceSummary.ts), its key, owner and registration, why the dApp rejected its readings,
// its disclosure days (the newest DAY_WINDOW_READINGS readings, per PROTOCOL §1 day) each
// with its disclosure if one was asked, and whether the day may be disclosed now, and the
// owner's rotations and revocations of it (deviceActions.ts) among the fleet's newest.

import { DISCLOSURE_PERIOD_SECONDS, DISCLOSURE_WINDOW_DAYS } from "@lcore/protocol/bounds";
import type { GatewayContext } from "../context.js";
import type { DeviceState as RegistryDevice } from "../devices/deviceRegistry.js";
import { deviceView } from "../devices/deviceRoutes.js";
import type { FleetStore } from "../outbox/fleetStore.js";
import { GatewayError } from "../http/errors.js";
import { DEVICE_OPS_SCAN, deviceOpView } from "./deviceActions.js";
import { disclosureView } from "./disclosureView.js";
import { deviceSummary } from "./deviceSummary.js";

const DAY_S = Number(DISCLOSURE_PERIOD_SECONDS);

export function devicePage(ctx: GatewayContext, fleet: FleetStore, d: RegistryDevice) {
  const row = fleet.device(d.address);
  if (row === undefined) throw new GatewayError("LCORE_GW_DEVICE_UNKNOWN", undefined, { details: { device: d.hex } });
  const view = deviceView(ctx, d);
  const today = Math.floor(ctx.nowMs() / 1000 / DAY_S);
  const days = fleet.days(d.address).map((day) => {
    const asked = ctx.outbox.disclosures.ofPeriod(d.address, day.day);
    const last = asked.length === 0 ? undefined : asked[asked.length - 1];
    return {
      day: day.day,
      date: new Date(day.day * DAY_S * 1000).toISOString().slice(0, 10),
      readings: day.readings,
      accepted: day.accepted,
      rejected: day.rejected,
      // The gateway's own rule (disclosures/disclosures.ts): the day is over on its clock and within the dApp's window.
      disclosable: day.day < today && BigInt(today - day.day) <= DISCLOSURE_WINDOW_DAYS,
      ...(last === undefined ? {} : { disclosure: disclosureView(last, ctx.outbox.aggregates) }),
    };
  });
  const ownerActions = fleet
    .deviceOpIds(DEVICE_OPS_SCAN)
    .map((id) => deviceOpView(ctx.outbox.inputs.get(id)!, d.address))
    .filter((a) => a !== undefined);
  return {
    ...deviceSummary(row),
    publicKey: view.publicKey,
    owner: ctx.owner,
    custodial: view.custodial,
    registration: view.registration,
    rejectReasons: fleet.rejectReasons(d.address),
    days,
    ownerActions,
    // The nonce a rotation's proof signs (PROTOCOL §3.2): owner operations the dApp accepted, as far as this gateway sent them.
    ownerOpNonce: ownerActions.filter((a) => a.status === "accepted").length,
  };
}
