// Request schemas of the console's routes (fleetRoutes.ts). Query values arrive as strings
// and the gateway never coerces types, so each is a bounded pattern; the routes turn them
// into numbers. The bounds are documented in gateway/README.md ("Console").

import { Type } from "typebox";

/** Most devices in one page of the device list. */
export const FLEET_PAGE_MAX = 100;
export const FLEET_PAGE_DEFAULT = 50;
/** Most readings in one page of a device's readings (public) or values (owner). */
export const READINGS_PAGE_MAX = 500;
export const READINGS_PAGE_DEFAULT = 50;
/** Most disclosures in one page. */
export const DISCLOSURES_PAGE_MAX = 100;

const Count = Type.String({ pattern: "^[0-9]{1,4}$" });
const U64 = Type.String({ pattern: "^[0-9]{1,20}$" });
const Address = Type.String({ pattern: "^0x[0-9a-fA-F]{40}$" });

export const FleetQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: 64,
        description: "a device address or its hex prefix (0x…), else a substring of the metadata",
      }),
    ),
    seq: Type.Optional({ ...U64, description: "only devices holding a reading with this seq" }),
    status: Type.Optional(
      Type.Union([
        Type.Literal("pending"),
        Type.Literal("registered"),
        Type.Literal("registration_rejected"),
        Type.Literal("revoked"),
      ]),
    ),
    rejected: Type.Optional(Type.Literal("1", { description: "only devices with a reading the dApp rejected" })),
    unsettled: Type.Optional(
      Type.Literal("1", { description: "only devices whose newest reading not rejected is not settled on chain" }),
    ),
    silentSeconds: Type.Optional(
      Type.String({ pattern: "^[0-9]{1,9}$", description: "only devices with no reading received for this long" }),
    ),
    after: Type.Optional({ ...Address, description: "the page after this device (the previous page's `next`)" }),
    limit: Type.Optional(Count),
  },
  { additionalProperties: false },
);

export const DeviceOnlyParams = Type.Object({ device: Address });

export const ReadingsQuery = Type.Object(
  {
    before: Type.Optional({ ...U64, description: "readings with a seq below this one (the previous page's `next`)" }),
    limit: Type.Optional(Count),
  },
  { additionalProperties: false },
);

export const DisclosuresQuery = Type.Object(
  {
    device: Type.Optional(Address),
    before: Type.Optional(Type.String({ pattern: "^[0-9]{1,15}$" })),
    limit: Type.Optional(Count),
  },
  { additionalProperties: false },
);
