// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ILcoreSettlement} from "./ILcoreSettlement.sol";

/// @title LcoreSettlement
/// @notice See ILcoreSettlement.
contract LcoreSettlement is ILcoreSettlement {
    /// @inheritdoc ILcoreSettlement
    address public immutable application;

    mapping(uint64 period => Settlement) private _settlements;
    mapping(address device => mapping(uint64 period => Aggregate)) private _aggregates;

    constructor(address application_) {
        application = application_;
    }

    modifier onlyApplication() {
        if (msg.sender != application) revert CallerNotApplication(msg.sender, application);
        _;
    }

    /// @inheritdoc ILcoreSettlement
    function settlePeriod(
        uint64 period,
        bytes32 recordsRoot,
        uint64 recordCount,
        bytes32 stateHash,
        bytes32 devicesRoot,
        uint64 deviceCount
    ) external onlyApplication {
        if (recordCount == 0) revert EmptySettlement(period);
        if (deviceCount == 0 || deviceCount > recordCount) {
            revert InvalidDeviceCount(period, deviceCount, recordCount);
        }
        Settlement storage s = _settlements[period];
        if (s.recordCount != 0) revert PeriodAlreadySettled(period, s.recordsRoot);
        _settlements[period] = Settlement(recordsRoot, recordCount, stateHash, devicesRoot, deviceCount);
        emit PeriodSettled(period, recordsRoot, recordCount, stateHash, devicesRoot, deviceCount);
    }

    /// @inheritdoc ILcoreSettlement
    function recordAggregate(
        address device,
        uint64 period,
        uint64 count,
        int128 sum,
        int64 min,
        int64 max,
        bytes32 stateHash
    ) external onlyApplication {
        if (count == 0 || min > max) revert InvalidAggregate(device, period, count, min, max);
        Aggregate storage a = _aggregates[device][period];
        if (a.count != 0) revert AggregateAlreadyRecorded(device, period);
        _aggregates[device][period] = Aggregate(count, sum, min, max, stateHash);
        emit AggregateRecorded(device, period, count, sum, min, max, stateHash);
    }

    /// @inheritdoc ILcoreSettlement
    function settlement(uint64 period) external view returns (Settlement memory) {
        return _settlements[period];
    }

    /// @inheritdoc ILcoreSettlement
    function aggregate(address device, uint64 period) external view returns (Aggregate memory) {
        return _aggregates[device][period];
    }

    /// @inheritdoc ILcoreSettlement
    function verifyRecord(uint64 period, bytes32 recordHash, uint256 index, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        Settlement storage s = _settlements[period];
        return _verify(s.recordsRoot, s.recordCount, recordHash, index, proof);
    }

    /// @inheritdoc ILcoreSettlement
    function verifyDeviceSummary(
        uint64 period,
        address device,
        uint64 count,
        uint64 firstSeq,
        uint64 lastSeq,
        uint256 index,
        bytes32[] calldata proof
    ) external view returns (bool) {
        Settlement storage s = _settlements[period];
        bytes32 leaf = keccak256(abi.encodePacked(device, count, firstSeq, lastSeq));
        return _verify(s.devicesRoot, s.deviceCount, leaf, index, proof);
    }

    /// @dev The leaf at `index` of a tree of `count` leaves padded to a power of two reaches `root`
    /// through `proof` (siblings bottom-up, exactly the tree's height). An unsettled period has count 0.
    function _verify(bytes32 root, uint64 count, bytes32 leaf, uint256 index, bytes32[] calldata proof)
        private
        pure
        returns (bool)
    {
        if (index >= count) return false;
        if (proof.length != _depth(count)) return false;
        bytes32 node = leaf;
        for (uint256 i = 0; i < proof.length; i++) {
            node = (index >> i) & 1 == 0
                ? keccak256(abi.encodePacked(node, proof[i]))
                : keccak256(abi.encodePacked(proof[i], node));
        }
        return node == root;
    }

    /// @dev ceil(log2(n)) for n >= 1: the height of a tree with n leaves padded to a power of two.
    function _depth(uint64 n) private pure returns (uint256 d) {
        while ((uint256(1) << d) < n) d++;
    }
}
