// Resolvers of the rollups-graphql reader schema over the node's store. Values are shaped as
// the real service shapes them: ids and BigInts as decimal strings, addresses checksummed,
// offset-based base64 cursors with a default page of 1000, proofs with the output's 63 siblings
// (empty until its epoch is sealed), `executed` read from the Application contract.

import { GraphQLError } from "graphql";
import { createSchema } from "graphql-yoga";
import { applicationAbi } from "./abis.js";
import { type ApiContext, checksummed } from "./apiContext.js";
import { READER_SCHEMA } from "./graphqlSchema.js";
import type { Hex } from "./hex.js";
import { decodeOutput } from "./outputs.js";
import type { InputRow, OutputRow, OutputType, ReportRow } from "./store.js";

/** rollups-graphql's page size when neither `first` nor `last` is given. */
export const DEFAULT_PAGINATION_LIMIT = 1000;

interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

const encodeCursor = (offset: number) => Buffer.from(String(offset)).toString("base64");

function decodeCursor(cursor: string, total: number): number {
  const text = Buffer.from(cursor, "base64").toString("utf8");
  if (!/^-?\d+$/.test(text)) throw new GraphQLError(`strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  const offset = Number(text);
  if (offset < 0 || offset >= total) throw new GraphQLError("invalid pagination cursor");
  return offset;
}

/** rollups-graphql's ComputePage: forward (first/after) or backward (last/before), never both. */
export function computePage(args: PageArgs, total: number): { offset: number; limit: number } {
  const forward = args.first != null || args.after != null;
  const backward = args.last != null || args.before != null;
  if (forward && backward)
    throw new GraphQLError("cannot mix forward pagination (first, after) with backward pagination (last, before)");
  if (!backward) {
    const limit = args.first ?? DEFAULT_PAGINATION_LIMIT;
    if (limit < 0) throw new GraphQLError("limit cannot be negative");
    const offset = args.after != null ? decodeCursor(args.after, total) + 1 : 0;
    return { offset, limit: Math.max(0, Math.min(limit, total - offset)) };
  }
  const limit = args.last ?? DEFAULT_PAGINATION_LIMIT;
  if (limit < 0) throw new GraphQLError("limit cannot be negative");
  const beforeOffset = args.before != null ? decodeCursor(args.before, total) : total;
  const offset = Math.max(0, beforeOffset - limit);
  return { offset, limit: Math.max(0, Math.min(limit, total - offset, beforeOffset - offset)) };
}

function connection<T>(offset: number, total: number, nodes: T[]) {
  const edges = nodes.map((node, i) => ({ node, cursor: encodeCursor(offset + i) }));
  const first = edges.length ? offset : undefined;
  const last = edges.length ? offset + edges.length - 1 : undefined;
  return {
    totalCount: total,
    edges,
    pageInfo: {
      startCursor: first === undefined ? null : encodeCursor(first),
      endCursor: last === undefined ? null : encodeCursor(last),
      hasNextPage: last !== undefined && last < total - 1,
      hasPreviousPage: first !== undefined && first > 0,
    },
  };
}

/** Page through a store listing: count first (the cursor logic needs the total), then read the page. */
function paged<T, N>(
  args: PageArgs,
  list: (page: { limit: number; offset: number }) => { rows: T[]; total: number },
  map: (row: T) => N,
) {
  const { total } = list({ limit: 0, offset: 0 });
  const { offset, limit } = computePage(args, total);
  const rows = limit > 0 ? list({ limit, offset }).rows : [];
  return connection(offset, total, rows.map(map));
}

function pageArray<T>(args: PageArgs, all: T[]) {
  const { offset, limit } = computePage(args, all.length);
  return connection(offset, all.length, all.slice(offset, offset + limit));
}

// ---- node shapes ----

interface InputNode {
  id: string;
  index: number;
  status: string;
  msgSender: string;
  timestamp: string;
  blockNumber: string;
  payload: Hex;
  espressoTimestamp: string;
  espressoBlockNumber: string;
  inputBoxIndex: string;
  blockTimestamp: string;
  prevRandao: Hex;
}

function inputNode(row: InputRow): InputNode {
  return {
    id: String(row.index),
    index: row.index,
    status: row.status === "NONE" ? "UNPROCESSED" : row.status,
    msgSender: checksummed(row.msgSender),
    timestamp: String(row.blockTimestamp),
    blockNumber: String(row.blockNumber),
    payload: row.payload,
    espressoTimestamp: "",
    espressoBlockNumber: "",
    inputBoxIndex: String(row.index),
    blockTimestamp: String(row.blockTimestamp),
    prevRandao: row.prevRandao,
  };
}

function outputNode(row: OutputRow) {
  const decoded = decodeOutput(row.raw);
  return {
    index: row.index,
    inputIndex: row.inputIndex,
    payload: decoded?.payload ?? row.raw,
    destination: decoded && decoded.type !== "Notice" ? checksummed(decoded.destination) : null,
    value: decoded?.type === "Voucher" ? decoded.value.toString() : null,
    transactionHash: row.executionTxHash,
    proof: { outputIndex: String(row.index), outputHashesSiblings: row.siblings ?? [] },
  };
}

function reportNode(row: ReportRow) {
  return { index: row.index, inputIndex: row.inputIndex, payload: row.payload };
}

type OutputNode = ReturnType<typeof outputNode>;

// ---- voucher filters (rollups-graphql's ConvenientFilter) ----

interface AddressFilter {
  eq?: string | null;
  ne?: string | null;
  in?: (string | null)[] | null;
  nin?: (string | null)[] | null;
  and?: Filter[] | null;
  or?: Filter[] | null;
}
interface BooleanFilter {
  eq?: boolean | null;
  ne?: boolean | null;
  and?: Filter[] | null;
  or?: Filter[] | null;
}
interface Filter {
  destination?: AddressFilter | null;
  executed?: BooleanFilter | null;
  and?: Filter[] | null;
  or?: Filter[] | null;
}

function needsExecuted(filters: Filter[] | null | undefined): boolean {
  return (filters ?? []).some(
    (f) => f.executed != null || [f.and, f.or, f.destination?.and, f.destination?.or].some(needsExecuted),
  );
}

function matches(filter: Filter, v: { destination: string; executed: boolean }): boolean {
  const same = (a: string | null | undefined) => a != null && a.toLowerCase() === v.destination.toLowerCase();
  const checks: boolean[] = [];
  const d = filter.destination;
  if (d) {
    if (d.eq != null) checks.push(same(d.eq));
    if (d.ne != null) checks.push(!same(d.ne));
    if (d.in != null) checks.push(d.in.some(same));
    if (d.nin != null) checks.push(!d.nin.some(same));
  }
  const e = filter.executed;
  if (e) {
    if (e.eq != null) checks.push(v.executed === e.eq);
    if (e.ne != null) checks.push(v.executed !== e.ne);
  }
  const ands = [...(filter.and ?? []), ...(d?.and ?? []), ...(e?.and ?? [])];
  const ors = [...(filter.or ?? []), ...(d?.or ?? []), ...(e?.or ?? [])];
  if (ands.length) checks.push(ands.every((f) => matches(f, v)));
  if (ors.length) checks.push(ors.some((f) => matches(f, v)));
  return checks.every(Boolean);
}

// ---- schema ----

function applicationNode(ctx: ApiContext) {
  return { id: "1", name: ctx.applicationName, address: checksummed(ctx.deployment.application) };
}

function wasOutputExecuted(ctx: ApiContext, index: number) {
  return ctx.clients.public.readContract({
    address: ctx.deployment.application,
    abi: applicationAbi,
    functionName: "wasOutputExecuted",
    args: [BigInt(index)],
  });
}

function outputsOf(ctx: ApiContext, type: OutputType, args: PageArgs, inputIndex?: number) {
  return paged(
    args,
    (page) => ctx.store.listOutputs(inputIndex === undefined ? { types: [type] } : { types: [type], inputIndex }, page),
    outputNode,
  );
}

async function filteredVouchers(ctx: ApiContext, type: OutputType, args: PageArgs & { filter?: Filter[] | null }) {
  if (!args.filter || args.filter.length === 0) return outputsOf(ctx, type, args);
  // Filters are evaluated in memory over every voucher: fine for a development chain.
  const all = ctx.store
    .listOutputs({ types: [type] }, { limit: Number.MAX_SAFE_INTEGER, offset: 0 })
    .rows.map(outputNode);
  const executed = needsExecuted(args.filter)
    ? await Promise.all(all.map((v) => wasOutputExecuted(ctx, v.index)))
    : all.map(() => false);
  const kept = all.filter((v, i) =>
    args.filter!.every((f) => matches(f, { destination: v.destination!, executed: executed[i]! })),
  );
  return pageArray(args, kept);
}

function outputAt(ctx: ApiContext, type: OutputType, index: number, what: string): OutputNode {
  const row = ctx.store.getOutput(index);
  if (!row || row.type !== type) throw new GraphQLError(`${what} not found`);
  return outputNode(row);
}

function inputOf(ctx: ApiContext, parent: { inputIndex: number }) {
  const row = ctx.store.getInput(parent.inputIndex);
  if (!row) throw new GraphQLError("input not found");
  return inputNode(row);
}

interface InputsArgs extends PageArgs {
  where?: {
    indexLowerThan?: number | null;
    indexGreaterThan?: number | null;
    msgSender?: string | null;
    type?: string | null;
  } | null;
}

function inputsPage(ctx: ApiContext, args: InputsArgs) {
  const w = args.where ?? {};
  if (w.type === "espresso") return connection(0, 0, []);
  const filter: { indexLowerThan?: number; indexGreaterThan?: number; sender?: Hex } = {};
  if (w.indexLowerThan != null) filter.indexLowerThan = w.indexLowerThan;
  if (w.indexGreaterThan != null) filter.indexGreaterThan = w.indexGreaterThan;
  if (w.msgSender != null) filter.sender = w.msgSender as Hex;
  return paged(args, (page) => ctx.store.listInputs(filter, page), inputNode);
}

interface ApplicationsArgs extends PageArgs {
  where?: {
    indexLowerThan?: number | null;
    indexGreaterThan?: number | null;
    name?: string | null;
    address?: string | null;
  } | null;
}

/** The node serves one application, index 1: the page holds it if it passes the filter. */
function applicationsPage(ctx: ApiContext, args: ApplicationsArgs) {
  const w = args.where ?? {};
  const a = applicationNode(ctx);
  const keep =
    (w.name == null || w.name === a.name) &&
    (w.address == null || w.address.toLowerCase() === a.address.toLowerCase()) &&
    (w.indexGreaterThan == null || 1 > w.indexGreaterThan) &&
    (w.indexLowerThan == null || 1 < w.indexLowerThan);
  return pageArray(args, keep ? [a] : []);
}

function queryResolvers(ctx: ApiContext) {
  return {
    input(_: unknown, { id }: { id: string }) {
      const row = /^\d+$/.test(id) ? ctx.store.getInput(Number(id)) : undefined;
      if (!row) throw new GraphQLError("input not found");
      return inputNode(row);
    },
    voucher: (_: unknown, { outputIndex }: { outputIndex: number }) => outputAt(ctx, "Voucher", outputIndex, "voucher"),
    delegateCallVoucher: (_: unknown, { outputIndex }: { outputIndex: number }) =>
      outputAt(ctx, "DelegateCallVoucher", outputIndex, "delegate call voucher"),
    notice: (_: unknown, { outputIndex }: { outputIndex: number }) => outputAt(ctx, "Notice", outputIndex, "notice"),
    report(_: unknown, { reportIndex }: { reportIndex: number }) {
      const row = ctx.store.getReport(reportIndex);
      if (!row) throw new GraphQLError("report not found");
      return reportNode(row);
    },
    inputs: (_: unknown, args: InputsArgs) => inputsPage(ctx, args),
    vouchers: (_: unknown, args: PageArgs & { filter?: Filter[] | null }) => filteredVouchers(ctx, "Voucher", args),
    delegateCallVouchers: (_: unknown, args: PageArgs & { filter?: Filter[] | null }) =>
      filteredVouchers(ctx, "DelegateCallVoucher", args),
    notices: (_: unknown, args: PageArgs) => outputsOf(ctx, "Notice", args),
    reports: (_: unknown, args: PageArgs) => paged(args, (page) => ctx.store.listReports({}, page), reportNode),
    applications: (_: unknown, args: ApplicationsArgs) => applicationsPage(ctx, args),
  };
}

export function createReaderSchema(ctx: ApiContext) {
  const app = () => applicationNode(ctx);
  const input = (parent: { inputIndex: number }) => inputOf(ctx, parent);
  const executed = (parent: OutputNode) => wasOutputExecuted(ctx, parent.index);
  const outputFields = { input, application: app };

  return createSchema({
    typeDefs: READER_SCHEMA,
    resolvers: {
      Query: queryResolvers(ctx),
      Input: {
        vouchers: (parent: InputNode, args: PageArgs) => outputsOf(ctx, "Voucher", args, parent.index),
        delegateCallVouchers: (parent: InputNode, args: PageArgs) =>
          outputsOf(ctx, "DelegateCallVoucher", args, parent.index),
        notices: (parent: InputNode, args: PageArgs) => outputsOf(ctx, "Notice", args, parent.index),
        reports: (parent: InputNode, args: PageArgs) =>
          paged(args, (page) => ctx.store.listReports({ inputIndex: parent.index }, page), reportNode),
        application: app,
      },
      Voucher: { ...outputFields, executed },
      DelegateCallVoucher: { ...outputFields, executed },
      Notice: outputFields,
      Report: { input, application: app },
    },
  });
}
