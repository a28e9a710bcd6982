"""The whole examples/retail-mlops against the seeded stack, as `make demo`
runs it: the plan shows each control's estimate and the before/after table,
apply works, a second plan is empty, and destroy leaves nothing of the
seed's §9 list (checked with boto3, not believed from the provider)."""
import glob
import json
import os
import re
import shutil
import subprocess
import sys

from conftest import TOP

sys.path.insert(0, os.path.join(TOP, "tests", "harness"))
import seed_stack  # noqa: E402

EXAMPLE = os.path.join(TOP, "examples", "retail-mlops")

# Resources whose estimate is known in the first plan (their inputs are in
# AWS already), and those whose targets are made in the same apply.
KNOWN_AT_PLAN = ["costops_spot_node_group.retail_api", "costops_spot_training_job.forecast",
                 "costops_image_retention.retail_forecast", "costops_log_retention.mlops",
                 "costops_storage_lifecycle.data"]
KNOWN_AT_APPLY = ["costops_schedule.off_hours"]


def planned_values(cli, plan_file):
    doc = json.loads(cli.run("show", "-json", plan_file).out)
    res = doc["planned_values"]["root_module"]["resources"]
    unknown = {c["address"]: c["change"].get("after_unknown", {}) for c in doc["resource_changes"]}
    return {r["address"]: r["values"] for r in res}, unknown


def test_retail_example_plan_apply_destroy(cli, emulator, aws):
    stack = seed_stack.seed(emulator.url)
    for tf in glob.glob(os.path.join(EXAMPLE, "*.tf")):
        shutil.copy(tf, cli.workdir)
    tfs = sorted(str(p) for p in cli.workdir.glob("*.tf"))
    tfvars = subprocess.run([sys.executable, os.path.join(TOP, "tests", "harness", "demo_vars.py"),
                             "/dev/stdin", *tfs], input=json.dumps(stack), capture_output=True,
                            text=True, check=True).stdout
    (cli.workdir / "demo.auto.tfvars.json").write_text(tfvars)
    cli.env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "TF_VAR_teardown_confirm": "destroy"})
    var = ["-var", f"endpoint_url={emulator.url}"]
    cli.init()

    plan = cli.plan(*var, "-out=tfplan")
    values, unknown = planned_values(cli, "tfplan")
    for addr in KNOWN_AT_PLAN:
        v = values[addr]
        assert isinstance(v.get("estimated_monthly_usd"), (int, float)), (addr, v)
        assert isinstance(v.get("estimated_monthly_savings_usd"), (int, float)), (addr, v)
        assert v.get("estimate_basis"), (addr, v)
    for addr in KNOWN_AT_APPLY:
        assert unknown[addr].get("estimated_monthly_usd") is True, (addr, unknown[addr])
    # Spot saves against on-demand; 7-day retention of never-expiring groups
    # saves nothing yet on groups created a moment ago (nothing is old).
    assert values["costops_spot_node_group.retail_api"]["estimated_monthly_savings_usd"] > 0
    assert values["costops_spot_training_job.forecast"]["estimated_monthly_savings_usd"] > 0
    # The image estimate follows the images' sizes that boto3 reports.
    imgs = aws.ecr.describe_images(repositoryName="retail-forecast")["imageDetails"]
    total = sum(i["imageSizeInBytes"] for i in imgs)
    ir = values["costops_image_retention.retail_forecast"]
    before = ir["estimated_monthly_usd"] + ir["estimated_monthly_savings_usd"]
    assert abs(before - total / 1024 ** 3 * 0.10) < 1e-3, (ir, total)
    # The table and the outputs are in the plan's text.
    assert re.search(r"estimated_monthly_usd\s+= [0-9]", plan.out), plan.out
    assert re.search(r"estimated_monthly_savings_usd\s+= [0-9]", plan.out), plan.out
    assert "EKS node group" in plan.out and "TOTAL" in plan.out.upper(), plan.out
    assert re.search(r"before_monthly_usd\s+= [0-9]", plan.out), plan.out
    # The budget's limit (the seed's 5 USD) is below the stack's estimate:
    # the plan says so, on limit_usd.
    assert "Budget limit below the estimate" in plan.all, plan.all

    if os.environ.get("COSTOPS_SHOW"):
        print(plan.out)
    cli.apply("tfplan")
    res = cli.resources()
    sched = res["costops_schedule.off_hours"]
    assert sched["estimated_monthly_savings_usd"] > 0, sched
    assert "node group" in sched["estimate_basis"] and "endpoint" in sched["estimate_basis"], sched
    before_total = cli.output("before_monthly_usd")
    after_total = cli.output("after_monthly_usd")
    assert before_total > after_total > 0
    assert "EKS node group" in cli.output("cost_table")

    if os.environ.get("COSTOPS_SHOW"):
        print(json.dumps({a: {k: v.get(k) for k in ("estimated_monthly_usd", "estimated_monthly_savings_usd", "estimate_basis")} for a, v in res.items()}, indent=1))
    second = cli.plan_exitcode(*var)
    assert second.rc == 0, second

    cli.destroy(*var)
    assert not [c for c in aws.eks.list_clusters()["clusters"] if c.startswith("retail")]
    assert not [b["Name"] for b in aws.s3.list_buckets().get("Buckets", [])
                if b["Name"].startswith("retail")]
    assert not [r["repositoryName"] for r in aws.ecr.describe_repositories()["repositories"]
                if r["repositoryName"].startswith("retail")]
    assert not [e["EndpointName"] for e in aws.sagemaker.list_endpoints()["Endpoints"]
                if e["EndpointName"].startswith("retail")]
