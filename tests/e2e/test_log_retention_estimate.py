"""costops_log_retention's estimates: estimated_monthly_usd,
estimated_monthly_savings_usd and estimate_basis from the groups' storedBytes
(checked with boto3) at the catalog's storage price; known in the first plan;
no diff when the groups grow after apply."""
import csv
import os
import re
import time

from conftest import TOP

GB = 1024 ** 3
PREFIX = "/aws/retail-forecast"


def storage_price():
    with open(os.path.join(TOP, "provider", "cost", "prices.csv")) as f:
        for row in csv.reader(line for line in f if not line.startswith("#")):
            if row[:3] == ["logs", "us-east-1", "storage"]:
                return float(row[4]), row[6]
    raise KeyError("logs storage")


def put(aws, group, n, size):
    aws.logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(time.time() * 1000)
    aws.logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
        {"timestamp": now + i, "message": "x" * size} for i in range(n)])


def stored(aws):
    groups = aws.logs.describe_log_groups(logGroupNamePrefix=PREFIX)["logGroups"]
    return sum(g["storedBytes"] for g in groups), len(groups)


CONFIG = f"""
resource "costops_log_retention" "r" {{
  log_group_prefixes = ["{PREFIX}"]
  retention_in_days  = 7
}}
"""


def test_estimate_from_stored_bytes(cli, aws):
    aws.logs.create_log_group(logGroupName=f"{PREFIX}/api")
    aws.logs.create_log_group(logGroupName=f"{PREFIX}/train")
    aws.logs.put_retention_policy(logGroupName=f"{PREFIX}/train", retentionInDays=30)
    put(aws, f"{PREFIX}/api", 20, 100_000)
    put(aws, f"{PREFIX}/train", 10, 100_000)
    total, n = stored(aws)
    assert n == 2 and total >= 3_000_000  # the emulator counts message bytes

    cli.write(CONFIG)
    cli.init()
    plan = cli.plan()
    # Known at plan time, before anything changes.
    assert re.search(r"estimated_monthly_usd\s+= [0-9]", plan.out), plan.out
    cli.apply()
    r = cli.resources()["costops_log_retention.r"]
    price, date = storage_price()
    expected = round(total / GB * price, 6)
    assert expected > 0
    assert abs(r["estimated_monthly_usd"] - expected) < 2e-6, (r, expected)
    # The groups are seconds old: nothing in them is older than 7 days, so
    # nothing is deleted yet and the honest saving is 0.
    assert r["estimated_monthly_savings_usd"] == 0
    basis = r["estimate_basis"]
    assert "2 group(s)" in basis and "storedBytes" in basis and date in basis
    assert "2 of them moved to 7 days" in basis

    # The groups keep growing; the refresh updates the figure but the plan
    # shows no change (an estimate is not drift).
    aws.logs.create_log_stream(logGroupName=f"{PREFIX}/api", logStreamName="s2")
    aws.logs.put_log_events(logGroupName=f"{PREFIX}/api", logStreamName="s2",
                            logEvents=[{"timestamp": 1, "message": "y" * 100_000}])
    assert cli.plan_exitcode().rc == 0
    cli.apply("-refresh-only")
    r = cli.resources()["costops_log_retention.r"]
    total2, _ = stored(aws)
    assert abs(r["estimated_monthly_usd"] - round(total2 / GB * price, 6)) < 2e-6
