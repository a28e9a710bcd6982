"""data "costops_cost_estimate": the seed's table from examples/seed-cost-table
(offline, the example's own provider block), live Spot prices and their
fallback against the emulator, and validation."""
import csv
import json
import os
import shutil

from conftest import TOP

EXAMPLE = os.path.join(TOP, "examples", "seed-cost-table", "main.tf")

# The seed's section 8 table (USD a month): before, after.
SEED = {
    "EKS NodeGroup": (28.80, 2.40),
    "S3 Storage": (1.15, 0.63),
    "CloudWatch Logs": (2.50, 0.75),
    "LoadBalancer": (19.44, 5.40),
    "ECR Storage": (0.50, 0.20),
}
SEED_TOTAL = (52.39, 9.38, 82)


def catalog(service, region, item):
    """A price from the catalog file the provider compiles in."""
    with open(os.path.join(TOP, "provider", "cost", "prices.csv")) as f:
        rows = csv.reader(line for line in f if not line.startswith("#"))
        for row in rows:
            if row[:3] == [service, region, item]:
                return float(row[4])
    raise KeyError((service, region, item))


def within(value, expected, tolerance=0.05):
    return abs(value - expected) <= tolerance * expected


def test_seed_table_offline(cli):
    shutil.copy(EXAMPLE, cli.workdir / "main.tf")
    cli.init()
    res = cli.apply()
    lines = {line["item"]: line for line in cli.output("lines")}
    assert set(lines) == set(SEED)
    for item, (before, after) in SEED.items():
        got = lines[item]
        assert within(got["before_usd"], before), (item, got)
        assert within(got["after_usd"], after), (item, got)
        assert got["basis"]
    before = cli.output("before_monthly_usd")
    after = cli.output("after_monthly_usd")
    assert within(before, SEED_TOTAL[0]) and within(after, SEED_TOTAL[1]), (before, after)
    assert round(cli.output("savings_percent")) == SEED_TOTAL[2]
    # The table is printed by apply, a line per item and the total.
    table = cli.output("table")
    assert "Total" in table and "52.39" in table and "9.38" in table
    for item in SEED:
        assert item in res.out


def stack(mode=None, region_attr=""):
    mode_attr = f'spot_prices = "{mode}"' if mode else ""
    return f"""
data "costops_cost_estimate" "x" {{
  {mode_attr}
  {region_attr}
  node_group {{
    name          = "nodes"
    instance_type = "t3.medium"
    nodes         = 2
    spot          = true
  }}
  training {{
    name           = "training"
    instance_type  = "ml.m5.large"
    jobs_per_month = 30
    hours_per_job  = 1
  }}
}}
output "lines" {{ value = data.costops_cost_estimate.x.lines }}
output "source" {{ value = data.costops_cost_estimate.x.spot_price_source }}
"""


def test_live_spot_price_implausible_falls_back(cli, emulator):
    # The emulator answers DescribeSpotPriceHistory with a constant
    # 0.00001 USD/h: far below 1 % of on-demand, so not believed.
    # The default ("auto") asks EC2, as the provider's credentials were
    # verified, and falls back quietly, saying so in the line's basis.
    cli.write(stack())
    cli.init()
    emulator.clear_calls()
    res = cli.apply()
    assert any(c["operation"] == "DescribeSpotPriceHistory" for c in emulator.calls())
    assert "Warning" not in res.all
    nodes, training = cli.output("lines")
    on_demand = catalog("ec2", "us-east-1", "t3.medium")
    off = catalog("ec2-spot", "*", "t3")
    assert abs(nodes["before_usd"] - round(2 * on_demand * 730, 4)) < 1e-6
    assert abs(nodes["after_usd"] - round(2 * on_demand * (1 - off) * 730, 4)) < 1e-6
    assert "implausible" in nodes["basis"] and "catalog fallback" in nodes["basis"]
    assert cli.output("source") == "catalog"
    # Training on-demand: 30 jobs x 1 h x the catalog's ml.m5.large.
    assert abs(training["before_usd"] - round(30 * catalog("sagemaker-training", "us-east-1", "ml.m5.large"), 4)) < 1e-6
    # "live" insists, so the fallback is a warning too.
    cli.write(stack("live"))
    res = cli.plan()
    assert "Live Spot price not believed" in res.all


def test_catalog_mode_never_calls_aws_and_other_region(cli, emulator):
    cli.write(stack("catalog", 'region = "ap-southeast-1"'))
    cli.init()
    emulator.clear_calls()
    cli.apply()
    assert not any(c["operation"] == "DescribeSpotPriceHistory" for c in emulator.calls())
    nodes, _ = cli.output("lines")
    assert abs(nodes["before_usd"] - round(2 * catalog("ec2", "ap-southeast-1", "t3.medium") * 730, 4)) < 1e-6
    assert "catalog ap-southeast-1" in nodes["basis"]


def test_bad_storage_class_is_a_plan_error(cli):
    cli.write("""
data "costops_cost_estimate" "x" {
  s3 {
    name         = "data"
    gb           = 10
    after_shares = { "tape" = 0.5, "glacier-ir" = 0.7 }
  }
}
""")
    cli.init()
    res = cli.plan(check=False)
    assert res.rc != 0
    assert "Unknown storage class" in res.all and "tape" in res.all
    assert "Shares above 1" in res.all
