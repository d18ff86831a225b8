"""The shop benchmark's pure parts: how it names requests and judges its targets (and that the
module imports without starting anything)."""

from __future__ import annotations

from collections import Counter

from tests.bench.bench_shop import Measured, class_names, operation_of, percentile, verdict


def test_requests_are_named_by_their_target_header():
    assert operation_of({"X-Amz-Target": b"DynamoDB_20120810.BatchGetItem"}) == (
        "DynamoDB:BatchGetItem"
    )
    assert operation_of({"X-Amz-Target": "secretsmanager.GetSecretValue"}) == (
        "other:secretsmanager.GetSecretValue"
    )
    assert operation_of({}) == "other:(no target)"


def test_a_listing_passes_with_two_requests_and_misses_with_a_third_or_a_scan():
    listing = Measured("gallery")
    listing.add(0.01, Counter({"DynamoDB:BatchGetItem": 2, "other:(no target)": 1}))
    assert verdict(listing, 2) == "PASS" and listing.breakdown() == "2 BatchGetItem"
    listing.add(0.02, Counter({"DynamoDB:BatchGetItem": 3}))
    assert verdict(listing, 2) == "MISS (> 2)"
    assert listing.breakdown().endswith("(total 2-3)")
    scanned = Measured("login")
    scanned.add(0.01, Counter({"DynamoDB:Scan": 1}))
    assert verdict(scanned, None) == "MISS (scan)"


def test_percentiles_are_nearest_rank_and_classes_are_named_like_a_school():
    values = [float(n) for n in range(1, 11)]
    assert (percentile(values, 0.5), percentile(values, 0.9)) == (5.0, 9.0)
    assert class_names(60, 25) == ["1a", "1b", "2a"]
