// Small DOM helpers shared by the console's views: elements, tables, short hashes, and
// transaction links to the block explorer the gateway is configured with (none: plain code).

export const $ = (id: string) => document.getElementById(id)!;

/** An element with text and attributes; children appended in order. */
export function el(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

export const short = (hex: string) => `${hex.slice(0, 8)}…${hex.slice(-4)}`;

export function table(target: HTMLElement, head: string[], rows: (Node | string)[][]): void {
  target.replaceChildren(
    el("thead", {}, el("tr", {}, ...head.map((h) => el("th", {}, h)))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, c))))),
  );
}

/** The explorer's transaction page template ({tx} = the hash), from GET /v1/console/settings. */
let explorer: string | null = null;
export function setExplorer(template: string | null): void {
  explorer = template;
}

/** A transaction hash: a link to the explorer when one is configured. */
export function txLink(hash: string, text = hash): HTMLElement {
  if (explorer === null) return el("code", { "data-tx": hash }, text);
  return el(
    "a",
    { href: explorer.replace("{tx}", hash), target: "_blank", rel: "noopener noreferrer", "data-tx": hash },
    el("code", {}, text),
  );
}

/** "3 min ago" from an ISO time, by the browser's clock. */
export function ago(iso: string | null): string {
  if (iso === null) return "never";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

/** An integer value scaled by 10^decimals, as text, without floating point. */
export function scaled(value: string, decimals: number): string {
  if (decimals === 0) return value;
  const negative = value.startsWith("-");
  const digits = (negative ? value.slice(1) : value).padStart(decimals + 1, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}
