// The reader schema of cartesi/rollups-graphql (specs/rollups-graphql-reader.graphql): the same
// types, fields, arguments and nullability, so clients written against the real service run
// here unchanged. A test compares this schema with the spec file when it is available.

export const READER_SCHEMA = /* GraphQL */ `
"Data that proves an output against a claim, to validate a notice or execute a voucher"
type Proof {
  outputIndex: BigInt!
  outputHashesSiblings: [String]!
}

enum CompletionStatus {
  UNPROCESSED
  ACCEPTED
  REJECTED
  EXCEPTION
  MACHINE_HALTED
  CYCLE_LIMIT_EXCEEDED
  TIME_LIMIT_EXCEEDED
  PAYLOAD_LENGTH_LIMIT_EXCEEDED
}

"An input sent to the application"
type Input {
  id: String!
  index: Int!
  status: CompletionStatus!
  msgSender: String!
  timestamp: BigInt! @deprecated(reason: "Use \`blockTimestamp\` instead")
  blockNumber: BigInt!
  payload: String!
  vouchers(first: Int, last: Int, after: String, before: String): VoucherConnection!
  delegateCallVouchers(first: Int, last: Int, after: String, before: String): DelegateCallVoucherConnection!
  notices(first: Int, last: Int, after: String, before: String): NoticeConnection!
  reports(first: Int, last: Int, after: String, before: String): ReportConnection!
  espressoTimestamp: String @deprecated(reason: "Will be removed")
  espressoBlockNumber: String @deprecated(reason: "Will be removed")
  inputBoxIndex: String
  blockTimestamp: BigInt
  prevRandao: String
  application: Application!
}

type Application {
  id: String!
  name: String!
  address: String!
}

"A call the application may make on the base layer once its epoch's claim is accepted"
type Voucher {
  index: Int!
  input: Input!
  destination: String!
  payload: String!
  proof: Proof
  value: BigInt
  executed: Boolean
  transactionHash: String
  application: Application!
}

type DelegateCallVoucher {
  index: Int!
  input: Input!
  destination: String!
  payload: String!
  proof: Proof
  executed: Boolean
  transactionHash: String
  application: Application!
}

type Query {
  input(id: String!): Input!
  voucher(outputIndex: Int!): Voucher!
  delegateCallVoucher(outputIndex: Int!): DelegateCallVoucher!
  notice(outputIndex: Int!): Notice!
  report(reportIndex: Int!): Report!
  inputs(first: Int, last: Int, after: String, before: String, where: InputFilter): InputConnection!
  vouchers(first: Int, last: Int, after: String, before: String, filter: [ConvenientFilter]): VoucherConnection!
  delegateCallVouchers(first: Int, last: Int, after: String, before: String, filter: [ConvenientFilter]): DelegateCallVoucherConnection!
  notices(first: Int, last: Int, after: String, before: String): NoticeConnection!
  reports(first: Int, last: Int, after: String, before: String): ReportConnection!
  applications(first: Int, last: Int, after: String, before: String, where: AppFilter): AppConnection!
}

type NoticeEdge {
  node: Notice!
  cursor: String!
}

type InputConnection {
  totalCount: Int!
  edges: [InputEdge!]!
  pageInfo: PageInfo!
}

type AppConnection {
  totalCount: Int!
  edges: [AppEdge!]!
  pageInfo: PageInfo!
}

type AppEdge {
  node: Application!
  cursor: String!
}

type VoucherConnection {
  totalCount: Int!
  edges: [VoucherEdge!]!
  pageInfo: PageInfo!
}

type DelegateCallVoucherConnection {
  totalCount: Int!
  edges: [DelegateCallVoucherEdge!]!
  pageInfo: PageInfo!
}

"A statement the base layer can validate against an accepted claim"
type Notice {
  index: Int!
  input: Input!
  payload: String!
  proof: Proof
  application: Application!
}

type ReportEdge {
  node: Report!
  cursor: String!
}

type ReportConnection {
  totalCount: Int!
  edges: [ReportEdge!]!
  pageInfo: PageInfo!
}

input AppFilter {
  indexLowerThan: Int
  indexGreaterThan: Int
  name: String
  address: String
}

input InputFilter {
  indexLowerThan: Int
  indexGreaterThan: Int
  msgSender: String
  type: String
}

scalar BigInt

type NoticeConnection {
  totalCount: Int!
  edges: [NoticeEdge!]!
  pageInfo: PageInfo!
}

type InputEdge {
  node: Input!
  cursor: String!
}

type PageInfo {
  startCursor: String
  endCursor: String
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
}

"A log or diagnostic the application emitted while processing an input"
type Report {
  index: Int!
  input: Input!
  payload: String!
  application: Application!
}

type VoucherEdge {
  node: Voucher!
  cursor: String!
}

type DelegateCallVoucherEdge {
  node: DelegateCallVoucher!
  cursor: String!
}

schema {
  query: Query
}

input AddressFilterInput {
  eq: String
  ne: String
  in: [String]
  nin: [String]
  and: [ConvenientFilter]
  or: [ConvenientFilter]
}

input BooleanFilterInput {
  eq: Boolean
  ne: Boolean
  and: [ConvenientFilter]
  or: [ConvenientFilter]
}

input ConvenientFilter {
  destination: AddressFilterInput
  executed: BooleanFilterInput
  and: [ConvenientFilter]
  or: [ConvenientFilter]
}
`;
