"""costops_schedule end to end: the seed's off-hours schedule applied against
the emulator, its schedules fired as Scheduler would (tests/harness/
scheduler_fire.py) with effects checked by boto3, drift, override, holidays
in a DST zone, import, destroy, and wrong configurations."""
import datetime
import json
import os
import sys
import zoneinfo

import pytest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "harness"))
import scheduler_fire  # noqa: E402

EXAMPLE = os.path.join(TOP, "examples", "retail-mlops", "schedule.tf")
GROUP = "retail-forecast-dev-off-hours"
CLUSTER, NODES = "retail-forecast-cluster", "retail-forecast-nodes"
ENDPOINT, CONFIG = "retail-forecast-endpoint", "retail-forecast-endpoint-config"
ADDR = "costops_schedule.off_hours"


def seed_targets(aws):
    """The seed's stack as far as the schedule touches it."""
    aws.eks.create_cluster(name=CLUSTER, roleArn="arn:aws:iam::123456789012:role/eks",
                           resourcesVpcConfig={"subnetIds": ["subnet-1"]})
    aws.eks.create_nodegroup(clusterName=CLUSTER, nodegroupName=NODES,
                             nodeRole="arn:aws:iam::123456789012:role/node",
                             subnets=["subnet-1"], capacityType="SPOT",
                             scalingConfig={"minSize": 2, "maxSize": 5, "desiredSize": 2})
    aws.sagemaker.create_model(ModelName="retail-forecast-model",
                               ExecutionRoleArn="arn:aws:iam::123456789012:role/sm",
                               PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/retail-forecast:1"})
    aws.sagemaker.create_endpoint_config(
        EndpointConfigName=CONFIG,
        ProductionVariants=[{"VariantName": "main", "ModelName": "retail-forecast-model",
                             "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
    aws.sagemaker.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName=CONFIG)


def scaling(aws):
    return aws.eks.describe_nodegroup(clusterName=CLUSTER, nodegroupName=NODES)["nodegroup"]["scalingConfig"]


def endpoint_exists(aws):
    names = [e["EndpointName"] for e in aws.sagemaker.list_endpoints()["Endpoints"]]
    return ENDPOINT in names


def example_hcl():
    # In the example the node group comes from costops_spot_node_group;
    # here the harness creates it, so its names stand in.
    hcl = open(EXAMPLE).read()
    hcl = hcl.replace("costops_spot_node_group.retail_api.cluster_name", f'"{CLUSTER}"')
    hcl = hcl.replace("costops_spot_node_group.retail_api.name", f'"{NODES}"')
    return hcl + '\nvariable "env" {\n  default = "dev"\n}\n'


def next_utc(hour, now):
    t = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return t if t > now else t + datetime.timedelta(days=1)


def test_seed_schedule_fires_drifts_imports_and_destroys(cli, aws):
    seed_targets(aws)
    # The folder's provider block sets the seed's tag strategy (5.1).
    cli.write(example_hcl(), provider_extra='  default_tags = {\n    Project = "RetailMLOps"\n  }')
    cli.init()
    before = datetime.datetime.now(datetime.timezone.utc)
    cli.apply()
    st = cli.resources()[ADDR]

    # What Scheduler holds: one stop and one start per target, in our group.
    names = scheduler_fire.schedules(aws, GROUP)
    assert names == ["start-ep-0", "start-ng-0", "stop-ep-0", "stop-ng-0"]
    assert sorted(st["schedule_arns"]) == names
    role_arn = st["role_arn_effective"]
    for n in names:
        s = aws.scheduler.get_schedule(GroupName=GROUP, Name=n)
        assert s["State"] == "ENABLED"
        assert s["FlexibleTimeWindow"] == {"Mode": "OFF"}
        assert s["Target"]["RoleArn"] == role_arn
        assert s["Target"]["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}
        assert s["ScheduleExpression"] == ("cron(0 19 * * ? *)" if n.startswith("stop") else "cron(0 7 * * ? *)")
        assert st["schedule_arns"][n] == s["Arn"]
        svc, action = scheduler_fire.parse_target_arn(s["Target"]["Arn"])
        scheduler_fire.validate_input(svc, action, json.loads(s["Target"]["Input"]))
    start_ep = json.loads(aws.scheduler.get_schedule(GroupName=GROUP, Name="start-ep-0")["Target"]["Input"])
    # The recreated endpoint keeps the tag strategy.
    assert start_ep == {"EndpointName": ENDPOINT, "EndpointConfigName": CONFIG,
                        "Tags": [{"Key": "Project", "Value": "RetailMLOps"}]}

    # The role: trusted by Scheduler for this account only, allowed exactly these targets.
    role_name = role_arn.split("/")[-1]
    role = aws.iam.get_role(RoleName=role_name)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    pol = aws.iam.get_role_policy(RoleName=role_name, PolicyName="costops-schedule")["PolicyDocument"]
    pol = json.loads(pol) if isinstance(pol, str) else pol
    by_sid = {s["Sid"]: s for s in pol["Statement"]}
    assert by_sid["NodeGroups"]["Resource"] == [f"arn:aws:eks:us-east-1:123456789012:nodegroup/{CLUSTER}/{NODES}/*"]
    assert by_sid["DeleteEndpoints"]["Resource"] == [f"arn:aws:sagemaker:us-east-1:123456789012:endpoint/{ENDPOINT}"]

    # Computed times: the next 19:00 and 07:00 UTC after the apply.
    assert st["next_stop"] == next_utc(19, before).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert st["next_start"] == next_utc(7, before).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert st["running_hours_per_week"] == 84
    assert st["drift"] == []
    assert cli.plan_exitcode().rc == 0

    # Night: fire every stop schedule as Scheduler would.
    fired = scheduler_fire.fire_group(aws, GROUP, "stop")
    assert sorted(fired) == ["stop-ep-0", "stop-ng-0"]
    sc = scaling(aws)
    assert (sc["minSize"], sc["desiredSize"], sc["maxSize"]) == (0, 0, 5)
    assert not endpoint_exists(aws)
    # Morning: the starts bring both back as they were.
    scheduler_fire.fire_group(aws, GROUP, "start")
    sc = scaling(aws)
    assert (sc["minSize"], sc["desiredSize"], sc["maxSize"]) == (2, 2, 5)
    ep = aws.sagemaker.describe_endpoint(EndpointName=ENDPOINT)
    assert ep["EndpointConfigName"] == CONFIG

    # Drift: one schedule edited, one deleted out of band.
    s = aws.scheduler.get_schedule(GroupName=GROUP, Name="stop-ng-0")
    aws.scheduler.update_schedule(GroupName=GROUP, Name="stop-ng-0", ScheduleExpression="cron(0 23 * * ? *)",
                                  FlexibleTimeWindow={"Mode": "OFF"}, Target=s["Target"])
    aws.scheduler.delete_schedule(GroupName=GROUP, Name="start-ep-0")
    plan = cli.plan_exitcode()
    assert plan.rc == 2, plan
    assert "schedule stop-ng-0: expression changed" in plan.out
    assert "schedule start-ep-0: deleted" in plan.out
    cli.apply()
    assert aws.scheduler.get_schedule(GroupName=GROUP, Name="stop-ng-0")["ScheduleExpression"] == "cron(0 19 * * ? *)"
    assert aws.scheduler.get_schedule(GroupName=GROUP, Name="start-ep-0")["State"] == "ENABLED"
    assert cli.plan_exitcode().rc == 0

    # Import by group name gives back the same configuration.
    cli.run("state", "rm", ADDR)
    cli.run("import", "-input=false", "-no-color", ADDR, GROUP)
    plan = cli.plan_exitcode()
    assert plan.rc == 0, plan

    # Destroy: schedules, group and the role it made are gone; targets stay.
    cli.destroy()
    assert GROUP not in [g["Name"] for g in aws.scheduler.list_schedule_groups()["ScheduleGroups"]]
    with pytest.raises(aws.iam.exceptions.NoSuchEntityException):
        aws.iam.get_role(RoleName=role_name)
    assert scaling(aws)["desiredSize"] == 2 and endpoint_exists(aws)


def test_override_applies_at_once_and_suspends(cli, aws):
    seed_targets(aws)
    cli.write(example_hcl().replace('timezone = "UTC"', 'timezone = "UTC"\n  override = "stopped"'))
    cli.init()
    cli.apply()
    sc = scaling(aws)
    assert (sc["minSize"], sc["desiredSize"], sc["maxSize"]) == (0, 0, 5)
    assert not endpoint_exists(aws)
    for n in scheduler_fire.schedules(aws, GROUP):
        assert aws.scheduler.get_schedule(GroupName=GROUP, Name=n)["State"] == "DISABLED"
    st = cli.resources()[ADDR]
    assert st["next_stop"] is None and st["running_hours_per_week"] == 0
    # Suspended schedules do not run.
    assert set(scheduler_fire.fire_group(aws, GROUP, "start").values()) == {"disabled"}
    assert cli.plan_exitcode().rc == 0

    cli.write(example_hcl().replace('timezone = "UTC"', 'timezone = "UTC"\n  override = "running"'))
    cli.apply()
    assert scaling(aws)["desiredSize"] == 2 and endpoint_exists(aws)

    cli.write(example_hcl())
    cli.apply()
    for n in scheduler_fire.schedules(aws, GROUP):
        assert aws.scheduler.get_schedule(GroupName=GROUP, Name=n)["State"] == "ENABLED"
    assert cli.resources()[ADDR]["next_stop"] is not None
    cli.destroy()


def test_holidays_in_a_dst_zone(cli, aws):
    """Overnight running (start 19:00, stop 07:00, Berlin): each holiday
    splits the start schedule and gets a one-time stop at its midnight."""
    seed_targets(aws)
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    today = datetime.datetime.now(berlin).date()
    h1, h2, h3 = (today + datetime.timedelta(days=d) for d in (3, 4, 10))
    cli.write(f"""
resource "costops_schedule" "off_hours" {{
  name     = "{GROUP}"
  timezone = "Europe/Berlin"
  stop_at  = "07:00"
  start_at = "19:00"
  days     = ["MON-FRI", "sun"]
  holidays = ["{h3}", "{h1}", "{h2}"]
  node_group {{
    cluster_name = "{CLUSTER}"
    name         = "{NODES}"
    min_size     = 1
    desired_size = 2
  }}
}}
""")
    cli.init()
    cli.apply()
    st = cli.resources()[ADDR]
    assert st["start_expression"] == "cron(0 19 ? * MON-FRI,SUN *)"
    assert st["stop_expression"] == "cron(0 7 ? * MON-FRI,SUN *)"

    def midnight(d):
        return int(datetime.datetime(d.year, d.month, d.day, tzinfo=berlin).timestamp())

    def stamp(d):
        return d.strftime("%Y%m%d")
    names = scheduler_fire.schedules(aws, GROUP)
    want_starts = {f"start-ng-0-{stamp(h1)}": (None, midnight(h1)),
                   f"start-ng-0-{stamp(h3)}": (midnight(h2 + datetime.timedelta(days=1)), midnight(h3)),
                   "start-ng-0": (midnight(h3 + datetime.timedelta(days=1)), None)}
    assert sorted(n for n in names if n.startswith("start")) == sorted(want_starts)
    for n, (sd, ed) in want_starts.items():
        s = aws.scheduler.get_schedule(GroupName=GROUP, Name=n)
        assert s["ScheduleExpressionTimezone"] == "Europe/Berlin"
        got_sd = int(s["StartDate"].timestamp()) if s.get("StartDate") else None
        got_ed = int(s["EndDate"].timestamp()) if s.get("EndDate") else None
        assert (got_sd, got_ed) == (sd, ed), n

    # One-time re-stops where the targets would be running at midnight:
    # the evening before must be a start day (MON-FRI or SUN, not a holiday).
    def runs_evening_before(h):
        d = h - datetime.timedelta(days=1)
        return d.weekday() != 5 and d not in (h1, h2, h3)
    want_restops = {f"stop-ng-0-{stamp(h)}" for h in (h1, h3) if runs_evening_before(h)}
    assert {n for n in names if n.startswith("stop-ng-0-")} == want_restops
    for n in want_restops:
        s = aws.scheduler.get_schedule(GroupName=GROUP, Name=n)
        assert s["ScheduleExpression"] == f"at({n[-8:-4]}-{n[-4:-2]}-{n[-2:]}T00:00:00)"
        assert s["ActionAfterCompletion"] == "DELETE"

    # next_start skips holidays; all inputs are valid requests.
    nxt = datetime.datetime.fromisoformat(st["next_start"])
    assert nxt.date() not in (h1, h2, h3) and nxt.hour == 19
    assert nxt.utcoffset() == datetime.datetime(nxt.year, nxt.month, nxt.day, 19, tzinfo=berlin).utcoffset()
    for n in names:
        s = aws.scheduler.get_schedule(GroupName=GROUP, Name=n)
        scheduler_fire.validate_input(*scheduler_fire.parse_target_arn(s["Target"]["Arn"]),
                                      json.loads(s["Target"]["Input"]))
    assert cli.plan_exitcode().rc == 0

    # Import gives the holidays and the times back.
    cli.run("state", "rm", ADDR)
    cli.run("import", "-input=false", "-no-color", ADDR, GROUP)
    imported = cli.resources()[ADDR]
    assert sorted(imported["holidays"]) == sorted(str(h) for h in (h1, h2, h3))
    assert imported["start_cron"] == "cron(0 19 ? * MON-FRI,SUN *)"
    cli.destroy()
    assert scheduler_fire.schedules.__name__  # harness importable for other helpers


BAD = """
resource "costops_schedule" "zone" {
  name       = "bad-zone"
  timezone   = "Mars/Olympus"
  stop_cron  = "cron(0 19 * * ? *)"
  start_cron = "cron(0 7 * * ? *)"
  sagemaker_endpoint {
    name                 = "e1"
    endpoint_config_name = "c1"
  }
}

resource "costops_schedule" "cron" {
  name       = "bad-cron"
  stop_cron  = "cron(0 19 * * * *)"
  start_cron = "cron(0 7 * * ? *)"
  sagemaker_endpoint {
    name                 = "e1"
    endpoint_config_name = "c1"
  }
}

resource "costops_schedule" "same" {
  name     = "bad-same"
  stop_at  = "19:00"
  start_at = "19:00"
  sagemaker_endpoint {
    name                 = "e1"
    endpoint_config_name = "c1"
  }
}

resource "costops_schedule" "sizes" {
  name       = "bad-sizes"
  stop_cron  = "cron(0 19 * * ? *)"
  start_cron = "cron(0 7 * * ? *)"
  node_group {
    cluster_name = "c"
    name         = "n"
    min_size     = 3
    desired_size = 2
  }
  node_group {
    cluster_name = "c"
    name         = "m"
    min_size     = 0
    desired_size = 0
  }
}

resource "costops_schedule" "noconfig" {
  name       = "bad-noconfig"
  stop_cron  = "cron(0 19 * * ? *)"
  start_cron = "cron(0 7 * * ? *)"
  sagemaker_endpoint {
    name                 = "e1"
    endpoint_config_name = ""
  }
}

resource "costops_schedule" "both" {
  name       = "bad-both"
  stop_cron  = "cron(0 19 * * ? *)"
  stop_at    = "19:00"
  start_cron = "cron(0 7 * * ? *)"
  holidays   = ["2026-02-30"]
  sagemaker_endpoint {
    name                 = "e1"
    endpoint_config_name = "c1"
  }
}
"""


def test_wrong_configurations(cli, aws):
    cli.write(BAD)
    cli.init()
    res = cli.plan(check=False)
    assert res.rc == 1
    out = res.all
    for summary, snippet in [
        ("Unknown time zone", 'timezone   = "Mars/Olympus"'),
        ("Malformed cron expression", "cannot both be specified"),
        ("Stop equals start", 'start_at = "19:00"'),
        ("min_size above desired_size", "min_size     = 3"),
        ("Running size below 1", "desired_size = 0"),
        ("Endpoint without a config", 'endpoint_config_name = ""'),
        ("Two stop times", 'stop_at    = "19:00"'),
        ("Invalid holiday date", '"2026-02-30"'),
    ]:
        assert f"Error: {summary}" in out, (summary, out)
        assert snippet in out, (snippet, out)
    # Nothing reached AWS.
    assert aws.scheduler.list_schedule_groups()["ScheduleGroups"] in ([], [{"Name": "default"}]) or \
        all(g["Name"] == "default" for g in aws.scheduler.list_schedule_groups()["ScheduleGroups"])


def test_missing_endpoint_config_changes_nothing(cli, aws):
    cli.write("""
resource "costops_schedule" "off_hours" {
  name       = "no-config"
  stop_cron  = "cron(0 19 * * ? *)"
  start_cron = "cron(0 7 * * ? *)"
  sagemaker_endpoint {
    name                 = "retail-forecast-endpoint"
    endpoint_config_name = "does-not-exist"
  }
}
""")
    cli.init()
    res = cli.apply(check=False)
    assert res.rc == 1
    assert "Endpoint configuration not found" in res.all
    assert 'endpoint_config_name = "does-not-exist"' in res.all
    assert all(g["Name"] != "no-config" for g in aws.scheduler.list_schedule_groups()["ScheduleGroups"])
    assert aws.iam.list_roles()["Roles"] == [] or all(
        not r["RoleName"].startswith("costops-sched-") for r in aws.iam.list_roles()["Roles"])
    assert cli.resources() == {}


def test_failure_midway_keeps_track_then_finishes_and_destroys(cli, aws, emulator):
    """A create that fails after the group, the role and one schedule exist
    returns a state naming them; the next apply finishes; destroy leaves
    nothing (checked with boto3)."""
    seed_targets(aws)
    cli.write(example_hcl())
    cli.init()
    # The second CreateSchedule fails with a non-retryable 400.
    emulator.fault(service="scheduler", operation="POST /schedules/", after=1,
                   status=400, code="ValidationException", message="injected")
    res = cli.apply(check=False)
    assert res.rc == 1, res
    assert "ValidationException" in res.all, res.all
    made = scheduler_fire.schedules(aws, GROUP)
    assert len(made) == 1, made
    st = cli.resources()[ADDR]
    assert st["id"] == GROUP and st["group_arn"], st
    role_name = st["role_arn_effective"].split("/")[-1]
    assert role_name.startswith("costops-sched-"), st
    aws.iam.get_role(RoleName=role_name)
    assert sorted(st["schedule_arns"]) == made, st
    assert any("failed part way" in d for d in st["drift"]), st

    cli.apply()
    assert scheduler_fire.schedules(aws, GROUP) == ["start-ep-0", "start-ng-0", "stop-ep-0", "stop-ng-0"]
    assert cli.plan_exitcode().rc == 0

    cli.destroy()
    assert all(g["Name"] != GROUP for g in aws.scheduler.list_schedule_groups()["ScheduleGroups"])
    assert not [r for r in aws.iam.list_roles()["Roles"] if r["RoleName"].startswith("costops-sched-")]
    assert cli.resources() == {}


def test_destroy_and_plan_after_the_group_is_gone(cli, aws):
    """costops_teardown is destroyed first and deletes schedule groups: the
    destroy that follows (its refresh ran before) treats the group as done
    and still removes the role costops made; a plan reads the group as
    gone and plans it again."""
    seed_targets(aws)
    cli.write(example_hcl())
    cli.init()
    cli.apply()
    for n in scheduler_fire.schedules(aws, GROUP):
        aws.scheduler.delete_schedule(GroupName=GROUP, Name=n)
    aws.scheduler.delete_schedule_group(Name=GROUP)
    plan = cli.plan()
    assert f"# {ADDR} will be created" in plan.out, plan
    cli.destroy("-refresh=false")
    assert cli.resources() == {}
    assert not [r for r in aws.iam.list_roles()["Roles"] if r["RoleName"].startswith("costops-sched-")]
