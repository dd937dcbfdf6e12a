// CSV/JSON export of what a table shows: the rows the view drew, as the view's columns,
// saved by the browser (a Blob download; nothing is sent anywhere).

import { el } from "./dom.js";

export type Cell = string | number | boolean | null;
export interface Exportable {
  name: string;
  columns: string[];
  rows: Cell[][];
}

const csvCell = (c: Cell) => {
  const s = c === null ? "" : String(c);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(t: Exportable): string {
  return `${[t.columns, ...t.rows].map((r) => r.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

export function toJson(t: Exportable): string {
  return `${JSON.stringify(
    t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i] ?? null]))),
    null,
    2,
  )}\n`;
}

function save(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Two buttons exporting whatever `current()` returns when clicked. */
export function exportButtons(id: string, current: () => Exportable): HTMLElement {
  const csv = el("button", { type: "button", id: `${id}-csv` }, "Export CSV");
  const json = el("button", { type: "button", id: `${id}-json` }, "Export JSON");
  csv.addEventListener("click", () => {
    const t = current();
    save(`${t.name}.csv`, "text/csv", toCsv(t));
  });
  json.addEventListener("click", () => {
    const t = current();
    save(`${t.name}.json`, "application/json", toJson(t));
  });
  return el("span", { class: "export" }, csv, " ", json);
}
