// Deposits arrive through the Cartesi portals with the portals' own payload layouts
// (DESIGN §6), not the lcore envelope: the sender, not the first byte, says so.

/** Canonical Cartesi Rollups v2.2.0 portal addresses (CREATE2, salt 0), lower-case. */
export const ETHER_PORTAL = "0xa632c5c05812c6a6149b7af5c56117d1d2603828";
export const ERC20_PORTAL = "0xaca6586a0cf05bd831f2501e7b4aea550da6562d";

export function isPortal(senderHex: string): boolean {
  return senderHex === ETHER_PORTAL || senderHex === ERC20_PORTAL;
}
