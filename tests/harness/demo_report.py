#!/usr/bin/env python3
"""Summarises for `make demo` what costops applied (from the state) and what
it saves (each resource's estimate attributes, when it has them), and after
destroy what AWS still holds, read with boto3 rather than believed from the
provider."""
import json
import subprocess
import sys

import boto3


def client(svc, url):
    return boto3.client(svc, region_name="us-east-1", endpoint_url=url,
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=boto3.session.Config(s3={"addressing_style": "path"}))


def state(cli):
    out = subprocess.run([cli, "show", "-json"], capture_output=True, text=True, check=True).stdout
    mod = json.loads(out).get("values", {}).get("root_module", {})
    return mod.get("resources", [])


def money(v):
    return f"{v:8.2f} USD" if isinstance(v, (int, float)) else "       -    "


def report(cli):
    rows = []
    for r in state(cli):
        v = r["values"]
        rows.append((r["address"], v.get("estimated_monthly_usd"), v.get("estimated_monthly_savings_usd"),
                     v.get("estimate_basis") or ""))
    print(f"{'resource':48} {'monthly':>12} {'saves':>12}  basis")
    total = 0.0
    for addr, cost, saves, basis in rows:
        print(f"{addr:48} {money(cost):>12} {money(saves):>12}  {basis}")
        if isinstance(saves, (int, float)):
            total += saves
    print(f"{'total saved per month':48} {'':>12} {money(total):>12}")
    for r in state(cli):
        if r["type"] == "costops_cost_estimate" and "table_text" in r["values"]:
            print()
            print(r["values"]["table_text"])


def after(url):
    logs = client("logs", url)
    for g in logs.describe_log_groups()["logGroups"]:
        print(f"log group {g['logGroupName']}: retention {g.get('retentionInDays', 'none')}")
    s3 = client("s3", url)
    for b in s3.list_buckets().get("Buckets", []):
        try:
            rules = s3.get_bucket_lifecycle_configuration(Bucket=b["Name"])["Rules"]
            print(f"bucket {b['Name']}: {len(rules)} lifecycle rule(s) left")
        except s3.exceptions.ClientError:
            print(f"bucket {b['Name']}: no lifecycle configuration")


if __name__ == "__main__":
    if sys.argv[1] == "--after":
        after(sys.argv[3])
    else:
        report(sys.argv[1])
