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
        # A training job's figure is per run, not per month.
        if isinstance(saves, (int, float)) and not basis.startswith("per job"):
            total += saves
    print(f"{'total saved per month (resources)':48} {'':>12} {money(total):>12}")
    for r in state(cli):
        if r["type"] == "costops_cost_estimate" and "table_text" in r["values"]:
            print()
            print(r["values"]["table_text"])


def after(url):
    """The seed's verification (section 9), read from AWS: nothing named
    retail* is left of the cluster, buckets, repositories or endpoints."""
    left = []
    left += [f"EKS cluster {c}" for c in client("eks", url).list_clusters()["clusters"] if c.startswith("retail")]
    left += [f"S3 bucket {b['Name']}" for b in client("s3", url).list_buckets().get("Buckets", [])
             if b["Name"].startswith("retail")]
    left += [f"ECR repository {r['repositoryName']}" for r in
             client("ecr", url).describe_repositories()["repositories"] if r["repositoryName"].startswith("retail")]
    left += [f"SageMaker endpoint {e['EndpointName']}" for e in
             client("sagemaker", url).list_endpoints()["Endpoints"] if e["EndpointName"].startswith("retail")]
    sched = client("scheduler", url)
    left += [f"schedule group {g['Name']}" for g in sched.list_schedule_groups()["ScheduleGroups"]
             if g["Name"].startswith("retail")]
    budgets = client("budgets", url).describe_budgets(AccountId="123456789012").get("Budgets", [])
    left += [f"budget {b['BudgetName']}" for b in budgets if b["BudgetName"].startswith("retail")]
    if left:
        print("still in AWS:")
        for item in left:
            print(f"  {item}")
        sys.exit(1)
    print("verified with boto3: no EKS cluster, bucket, ECR repository, SageMaker endpoint,")
    print("schedule group or budget named retail* remains")


def outputs(cli):
    """The example's outputs, long YAML manifests summarised."""
    out = json.loads(subprocess.run([cli, "output", "-json"], capture_output=True,
                                    text=True, check=True).stdout)
    for name, o in sorted(out.items()):
        v = o["value"]
        if isinstance(v, str) and "\n" in v:
            kinds = [line.split(":", 1)[1].strip() for line in v.splitlines() if line.startswith("kind:")]
            print(f"{name} = <{len(v.splitlines())} lines of YAML: {', '.join(kinds)}>")
        else:
            print(f"{name} = {json.dumps(v)}")


if __name__ == "__main__":
    if sys.argv[1] == "--outputs":
        outputs(sys.argv[2])
    elif sys.argv[1] == "--after":
        after(sys.argv[3])
    else:
        report(sys.argv[1])
