// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title lcore settlement on KC-Chain
/// @notice Holds what the lcore dApp commits through vouchers: per settlement period the
/// Merkle root of the accepted records, their count and the dApp's state hash; and the
/// aggregates the dApp verified from selective disclosures. Only the Cartesi Application
/// that runs the dApp may write, so every value here was produced by the rollup and is
/// backed by an accepted claim.
interface ILcoreSettlement {
    /// @notice What one settlement period committed.
    /// @param recordsRoot Root of the period's records tree (see `verifyRecord`).
    /// @param recordCount Number of records in the period; zero means not settled.
    /// @param stateHash The dApp's canonical state hash at the close of the period: after its last
    ///        accepted input, before the input that settled it (what the period's last notice published).
    /// @param devicesRoot Root of the period's device summaries tree (see `verifyDeviceSummary`): what
    ///        each device sent in the period, so withheld readings show (completeness).
    /// @param deviceCount Number of devices with records in the period (leaves of that tree).
    struct Settlement {
        bytes32 recordsRoot;
        uint64 recordCount;
        bytes32 stateHash;
        bytes32 devicesRoot;
        uint64 deviceCount;
    }

    /// @notice An aggregate over one device's disclosed period, verified by the dApp.
    struct Aggregate {
        uint64 count;
        int128 sum;
        int64 min;
        int64 max;
        bytes32 stateHash;
    }

    /// @notice A write came from an address other than the Application.
    error CallerNotApplication(address caller, address application);
    /// @notice The period was already settled; a period is written once.
    error PeriodAlreadySettled(uint64 period, bytes32 recordsRoot);
    /// @notice A settlement must commit at least one record.
    error EmptySettlement(uint64 period);
    /// @notice A settlement's device count must be 1..recordCount (each device holds a record).
    error InvalidDeviceCount(uint64 period, uint64 deviceCount, uint64 recordCount);
    /// @notice The aggregate for this device and disclosure period was already recorded.
    error AggregateAlreadyRecorded(address device, uint64 period);
    /// @notice An aggregate must cover at least one record, with min <= max.
    error InvalidAggregate(address device, uint64 period, uint64 count, int64 min, int64 max);

    /// @notice Emitted once per settled period, for indexers.
    event PeriodSettled(
        uint64 indexed period,
        bytes32 recordsRoot,
        uint64 recordCount,
        bytes32 stateHash,
        bytes32 devicesRoot,
        uint64 deviceCount
    );
    /// @notice Emitted once per recorded aggregate, for indexers.
    event AggregateRecorded(
        address indexed device, uint64 indexed period, uint64 count, int128 sum, int64 min, int64 max, bytes32 stateHash
    );

    /// @notice The Application whose vouchers may write here.
    function application() external view returns (address);

    /// @notice Commit a settlement period. MUST revert unless called by the Application,
    /// with a non-zero record count, a device count in 1..recordCount, for a period not
    /// settled before. The device summaries go in as one root, so the call's size does not
    /// grow with the fleet.
    function settlePeriod(
        uint64 period,
        bytes32 recordsRoot,
        uint64 recordCount,
        bytes32 stateHash,
        bytes32 devicesRoot,
        uint64 deviceCount
    ) external;

    /// @notice Record a verified disclosure aggregate. MUST revert unless called by the
    /// Application, once per (device, period), with count > 0 and min <= max.
    function recordAggregate(
        address device, uint64 period, uint64 count, int128 sum, int64 min, int64 max, bytes32 stateHash
    ) external;

    /// @notice The settlement of `period` (all zero if not settled).
    function settlement(uint64 period) external view returns (Settlement memory);

    /// @notice The aggregate of `device` for disclosure `period` (all zero if none).
    function aggregate(address device, uint64 period) external view returns (Aggregate memory);

    /// @notice Check that `recordHash` is the record at `index` of settled `period`.
    /// The tree has the period's record hashes as leaves in acceptance order, padded
    /// with zero leaves to the next power of two; a parent is keccak256(left || right).
    /// `proof` lists the siblings bottom-up and MUST have exactly ceil(log2(recordCount))
    /// entries, so an inner node can never pass for a leaf.
    function verifyRecord(uint64 period, bytes32 recordHash, uint256 index, bytes32[] calldata proof)
        external
        view
        returns (bool);

    /// @notice Check that `device` sent `count` records with sequence numbers `firstSeq`..`lastSeq`
    /// in settled `period`: the leaf keccak256(abi.encodePacked(device, count, firstSeq, lastSeq))
    /// (44 bytes, so never an inner node's 64) at `index` of the period's device summaries tree,
    /// whose leaves are ordered by device address and built as `verifyRecord`'s tree;
    /// `proof` MUST have exactly ceil(log2(deviceCount)) entries.
    function verifyDeviceSummary(
        uint64 period,
        address device,
        uint64 count,
        uint64 firstSeq,
        uint64 lastSeq,
        uint256 index,
        bytes32[] calldata proof
    ) external view returns (bool);
}
