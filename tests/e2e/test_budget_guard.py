"""costops_budget_guard end to end: the seed's budget (examples/retail-mlops/
budget.tf) applied against the emulator and read back with boto3, updated in
place, its breach path exercised (Budgets' SNS message -> the deployed
function's own code -> the stop calls), drift, import, destroy; and wrong
configurations refused before anything reaches AWS."""
import io
import json
import os
import types
import urllib.request
import uuid
import zipfile

import boto3
import pytest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ACCOUNT = "123456789012"
BUDGET = "retail-forecast-dev-monthly-budget"
GROUP = "retail-offhours"          # stands in for costops_schedule.off_hours.id
CLUSTER, NODEGROUP = "retail-forecast-cluster", "retail-forecast-nodes"
ENDPOINT = "retail-forecast-endpoint"
EMAIL = "finops@example.com"
DEFAULT_TAGS = '  default_tags = { Project = "RetailMLOps" }\n'


def example_hcl(**replace):
    with open(os.path.join(TOP, "examples", "retail-mlops", "budget.tf")) as f:
        hcl = f.read()
    hcl = hcl.replace("costops_schedule.off_hours.id", f'"{GROUP}"')
    # estimate.tf is not loaded here (tests/e2e/test_retail_example.py
    # covers the estimate); a config-only argument would also show as a
    # change after the import below.
    hcl = hcl.replace("  estimate_usd = data.costops_cost_estimate.retail.after_monthly_usd\n", "")
    for old, new in replace.items():
        assert old in hcl, old
        hcl = hcl.replace(old, new)
    return hcl


def stack(aws):
    """What costops_schedule.offhours would leave: a node group and an
    endpoint, and a schedule group whose stop schedules scale the one to 0
    and delete the other (plus a start schedule the guard must not run)."""
    role = f"arn:aws:iam::{ACCOUNT}:role/scheduler"
    aws.eks.create_cluster(name=CLUSTER, roleArn=role,
                           resourcesVpcConfig={"subnetIds": ["subnet-1"]})
    aws.eks.create_nodegroup(clusterName=CLUSTER, nodegroupName=NODEGROUP,
                             scalingConfig={"minSize": 2, "maxSize": 5, "desiredSize": 2},
                             subnets=["subnet-1"], nodeRole=role, capacityType="SPOT")
    aws.sagemaker.create_model(ModelName="m", ExecutionRoleArn=role,
                               PrimaryContainer={"Image": "img"})
    aws.sagemaker.create_endpoint_config(
        EndpointConfigName="c", ProductionVariants=[{
            "VariantName": "v", "ModelName": "m", "InitialInstanceCount": 1,
            "InstanceType": "ml.m5.large"}])
    aws.sagemaker.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName="c")
    aws.scheduler.create_schedule_group(Name=GROUP)

    def schedule(name, cron, action, body):
        aws.scheduler.create_schedule(
            Name=name, GroupName=GROUP, ScheduleExpression=cron,
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": f"arn:aws:scheduler:::aws-sdk:{action}", "RoleArn": role,
                    "Input": json.dumps(body)})
    # EKS rejects maxSize < 1, so "off" is min 0 / desired 0 / max kept.
    schedule("stop-nodegroup", "cron(0 19 * * ? *)", "eks:updateNodegroupConfig",
             {"clusterName": CLUSTER, "nodegroupName": NODEGROUP,
              "scalingConfig": {"minSize": 0, "desiredSize": 0, "maxSize": 5}})
    schedule("stop-endpoint", "cron(0 19 * * ? *)", "sagemaker:deleteEndpoint",
             {"EndpointName": ENDPOINT})
    schedule("start-nodegroup", "cron(0 7 * * ? *)", "eks:updateNodegroupConfig",
             {"clusterName": CLUSTER, "nodegroupName": NODEGROUP,
              "scalingConfig": {"minSize": 2, "desiredSize": 2, "maxSize": 5}})


def notifications(aws):
    """{(type, threshold, threshold type): sorted subscribers}, read back
    with boto3."""
    out = {}
    ns = aws.budgets.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName=BUDGET)
    for n in ns["Notifications"]:
        subs = aws.budgets.describe_subscribers_for_notification(
            AccountId=ACCOUNT, BudgetName=BUDGET, Notification=n)["Subscribers"]
        out[(n["NotificationType"], float(n["Threshold"]), n.get("ThresholdType", "PERCENTAGE"))] = \
            sorted((s["SubscriptionType"], s["Address"]) for s in subs)
    return out


def budgets_message(limit, actual):
    """An AWS Budgets alert as Budgets publishes it to SNS."""
    return (f"AWS Budget Notification November 27, 2026\nAWS Account {ACCOUNT}\n\n"
            f"Dear AWS Customer,\n\nYou requested that we alert you when the ACTUAL Cost "
            f"associated with your {BUDGET} budget is greater than ${limit:.2f} for the "
            f"current month. The ACTUAL Cost associated with this budget is ${actual:.2f}. "
            f"You can find additional details below and by accessing the AWS Budgets "
            f"dashboard [1].\n\nBudget Name: {BUDGET}\nBudget Type: Cost\n"
            f"Budgeted Amount: ${limit:.2f}\nAlert Type: ACTUAL\n"
            f"Alert Threshold: > ${limit:.2f}\nACTUAL Amount: ${actual:.2f}\n\n"
            f"[1] https://console.aws.amazon.com/billing/home#/budgets\n")


def invoke_as_lambda(aws, emulator, monkeypatch, function, event):
    """Runs the deployed function's own package in-process, as the Lambda
    Python runtime would: its handler, its environment, boto3 reaching AWS
    (here the emulator). moto cannot run Lambda without Docker."""
    fn = getattr(aws, "lambda").get_function(FunctionName=function)
    package = urllib.request.urlopen(fn["Code"]["Location"], timeout=30).read()
    z = zipfile.ZipFile(io.BytesIO(package))
    assert z.testzip() is None, "corrupt deployment package"
    cfg = fn["Configuration"]
    module_name, handler_name = cfg["Handler"].split(".")
    source = z.read(module_name + ".py")
    for k, v in cfg.get("Environment", {}).get("Variables", {}).items():
        monkeypatch.setenv(k, v)
    for k, v in {"AWS_ENDPOINT_URL": emulator.url, "AWS_REGION": "us-east-1",
                 "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
                 "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    module = types.ModuleType(module_name)
    exec(compile(source, module_name + ".py", "exec"), module.__dict__)
    return getattr(module, handler_name)(event, None)


def test_seed_budget_lifecycle(cli, aws, emulator, monkeypatch):
    stack(aws)
    topic = aws.sns.create_topic(Name="retail-alerts")["TopicArn"]
    cli.write(example_hcl(), provider_extra=DEFAULT_TAGS)
    tfvars = ["-var", f'budget_alert_emails=["{EMAIL}"]',
              "-var", f"budget_alert_sns_topic_arn={topic}"]
    cli.init()
    res = cli.apply(*tfvars)
    assert "Activate the cost allocation tags" in res.all

    # The budget, read back independently.
    b = aws.budgets.describe_budget(AccountId=ACCOUNT, BudgetName=BUDGET)["Budget"]
    assert float(b["BudgetLimit"]["Amount"]) == 5 and b["BudgetLimit"]["Unit"] == "USD"
    assert b["TimeUnit"] == "MONTHLY" and b["BudgetType"] == "COST"
    assert b["CostFilters"] == {"TagKeyValue": ["user:Project$RetailMLOps"]}
    st = cli.resources()["costops_budget_guard.monthly"]
    guard_topic, function = st["breach_topic_arn"], st["breach_function_name"]
    assert notifications(aws) == {
        ("ACTUAL", 80.0, "PERCENTAGE"): [("EMAIL", EMAIL)],
        ("ACTUAL", 100.0, "PERCENTAGE"): [("EMAIL", EMAIL), ("SNS", topic)],
        # on_breach: 100 % of 5 USD, to the guard's own topic.
        ("ACTUAL", 5.0, "ABSOLUTE_VALUE"): [("SNS", guard_topic)],
    }
    assert st["breach_actions"] == ["eks:UpdateNodegroupConfig", "sagemaker:DeleteEndpoint"]

    # The breach path's wiring: Budgets may publish, the function is
    # subscribed and SNS may invoke it, the role allows exactly the calls.
    policy = json.loads(aws.sns.get_topic_attributes(TopicArn=guard_topic)["Attributes"]["Policy"])
    assert any(s.get("Principal") == {"Service": "budgets.amazonaws.com"}
               and s["Action"] == "SNS:Publish" for s in policy["Statement"])
    subs = aws.sns.list_subscriptions_by_topic(TopicArn=guard_topic)["Subscriptions"]
    fn_arn = getattr(aws, "lambda").get_function(FunctionName=function)["Configuration"]["FunctionArn"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subs] == [("lambda", fn_arn)]
    perm = json.loads(getattr(aws, "lambda").get_policy(FunctionName=function)["Policy"])
    assert any(s["Principal"] == {"Service": "sns.amazonaws.com"} and
               s["Condition"]["ArnLike"]["AWS:SourceArn"] == guard_topic
               for s in perm["Statement"])
    role = st["breach_role_arn"].rsplit("/", 1)[1]
    doc = aws.iam.get_role_policy(RoleName=role, PolicyName="costops-budget-guard")["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    stop_calls = [s for s in doc["Statement"] if s["Sid"] == "StopCalls"][0]
    assert sorted(stop_calls["Action"]) == ["eks:UpdateNodegroupConfig", "sagemaker:DeleteEndpoint"]
    assert cli.plan_exitcode(*tfvars).rc == 0

    # Update in place: the limit and a threshold.
    emulator.clear_calls()
    def example_v2():
        return example_hcl(**{"limit_usd = 5": "limit_usd = 6",
                              "threshold_percent = 80": "threshold_percent = 90"})
    cli.write(example_v2(), provider_extra=DEFAULT_TAGS)
    cli.apply(*tfvars)
    ops = [c["operation"] for c in emulator.calls() if c["service"] == "budgets"]
    assert "UpdateBudget" in ops and ops.count("UpdateNotification") == 2, ops
    assert not {"CreateBudget", "DeleteBudget", "DeleteNotification"} & set(ops), ops
    b = aws.budgets.describe_budget(AccountId=ACCOUNT, BudgetName=BUDGET)["Budget"]
    assert float(b["BudgetLimit"]["Amount"]) == 6
    assert notifications(aws) == {
        ("ACTUAL", 90.0, "PERCENTAGE"): [("EMAIL", EMAIL)],
        ("ACTUAL", 100.0, "PERCENTAGE"): [("EMAIL", EMAIL), ("SNS", topic)],
        ("ACTUAL", 6.0, "ABSOLUTE_VALUE"): [("SNS", guard_topic)],
    }
    assert cli.plan_exitcode(*tfvars).rc == 0

    # The breach: Budgets publishes its alert to the guard's topic, SNS
    # invokes the function with that message.
    subject = f"AWS Budgets: {BUDGET} has exceeded your alert threshold"
    message = budgets_message(6, 6.42)
    mid = aws.sns.publish(TopicArn=guard_topic, Subject=subject, Message=message)["MessageId"]
    event = {"Records": [{
        "EventSource": "aws:sns", "EventVersion": "1.0",
        "EventSubscriptionArn": subs[0]["SubscriptionArn"],
        "Sns": {"Type": "Notification", "MessageId": mid, "TopicArn": guard_topic,
                "Subject": subject, "Message": message,
                "Timestamp": "2026-11-27T12:00:00.000Z", "SignatureVersion": "1",
                "Signature": "", "SigningCertUrl": "", "UnsubscribeUrl": "",
                "MessageAttributes": {}}}]}
    result = invoke_as_lambda(aws, emulator, monkeypatch, function, event)
    assert sorted(result["stopped"]) == [f"{GROUP}/stop-endpoint", f"{GROUP}/stop-nodegroup"]
    ng = aws.eks.describe_nodegroup(clusterName=CLUSTER, nodegroupName=NODEGROUP)["nodegroup"]
    assert ng["scalingConfig"]["desiredSize"] == 0 and ng["scalingConfig"]["minSize"] == 0
    assert ENDPOINT not in [e["EndpointName"] for e in aws.sagemaker.list_endpoints()["Endpoints"]]
    # A second breach finds everything already stopped and still succeeds.
    again = invoke_as_lambda(aws, emulator, monkeypatch, function, event)
    assert f"{GROUP}/stop-endpoint (already stopped)" in again["stopped"]

    # Drift: a notification removed and the limit changed out of band.
    aws.budgets.delete_notification(AccountId=ACCOUNT, BudgetName=BUDGET, Notification={
        "NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN",
        "Threshold": 90.0, "ThresholdType": "PERCENTAGE"})
    aws.budgets.update_budget(AccountId=ACCOUNT, NewBudget=dict(
        b, BudgetLimit={"Amount": "50", "Unit": "USD"}))
    res = cli.plan_exitcode(*tfvars)
    assert res.rc == 2 and "limit_usd" in res.out and "90" in res.out, res
    cli.apply(*tfvars)
    assert float(aws.budgets.describe_budget(AccountId=ACCOUNT, BudgetName=BUDGET)
                 ["Budget"]["BudgetLimit"]["Amount"]) == 6
    assert ("ACTUAL", 90.0, "PERCENTAGE") in notifications(aws)
    assert cli.plan_exitcode(*tfvars).rc == 0

    # Import by budget name gives the same state back.
    before = cli.resources()["costops_budget_guard.monthly"]
    cli.run("state", "rm", "costops_budget_guard.monthly")
    cli.run("import", "-input=false", "-no-color", *tfvars,
            "costops_budget_guard.monthly", BUDGET)
    after = cli.resources()["costops_budget_guard.monthly"]
    for k in ("limit_usd", "time_unit", "cost_filter_tags", "notify", "on_breach",
              "breach_topic_arn", "breach_function_name", "breach_actions"):
        assert after[k] == before[k], k
    assert cli.plan_exitcode(*tfvars).rc == 0

    # Dropping on_breach removes the breach path and its notification only.
    hcl = example_v2()
    cli.write(hcl[:hcl.index("  on_breach {")] + "}\n", provider_extra=DEFAULT_TAGS)
    cli.apply(*tfvars)
    assert set(notifications(aws)) == {("ACTUAL", 90.0, "PERCENTAGE"), ("ACTUAL", 100.0, "PERCENTAGE")}
    assert function not in [f["FunctionName"] for f in getattr(aws, "lambda").list_functions()["Functions"]]
    assert cli.resources()["costops_budget_guard.monthly"]["breach_topic_arn"] == ""
    assert cli.plan_exitcode(*tfvars).rc == 0

    cli.destroy(*tfvars)
    assert BUDGET not in [x["BudgetName"] for x in
                          aws.budgets.describe_budgets(AccountId=ACCOUNT).get("Budgets", [])]
    assert guard_topic not in [t["TopicArn"] for t in aws.sns.list_topics()["Topics"]]
    assert function not in [f["FunctionName"] for f in getattr(aws, "lambda").list_functions()["Functions"]]
    assert role not in [r["RoleName"] for r in aws.iam.list_roles()["Roles"]]


BAD = """
resource "costops_budget_guard" "bad" {
  name      = "bad:name"
  limit_usd = 0
  time_unit = "DAILY"
  notify {
    threshold_percent = 0
    type              = "FORECASTED"
    emails            = ["not-an-email", "a@example.com", "a@example.com"]
    sns_topic_arn     = "arn:aws:sqs:us-east-1:123456789012:q"
  }
  notify {
    threshold_percent = 50
    emails = [%s]
  }
  notify {
    threshold_percent = 80
  }
  on_breach {
    threshold_percent = 2000000
    stop              = ["not a group"]
  }
}
""" % ", ".join(f'"u{i}@example.com"' for i in range(11))


def diagnostics(res):
    """(severity, summary, the configuration line it points at) from
    `plan -json`: the CLI resolves each attribute path to that line."""
    out = []
    for line in res.out.splitlines():
        msg = json.loads(line)
        if msg.get("type") == "diagnostic":
            d = msg["diagnostic"]
            out.append((d["severity"], d["summary"], d.get("snippet", {}).get("code", "").strip(),
                        " ".join(d.get("detail", "").split())))
    return out


def test_wrong_configuration_refused(cli, aws, emulator):
    cli.write(BAD, provider_extra=DEFAULT_TAGS)
    cli.init()
    emulator.clear_calls()
    res = cli.plan("-json", check=False)
    assert res.rc == 1
    got = diagnostics(res)
    expected = [
        ("Invalid budget name", 'name      = "bad:name"'),
        ("Invalid budget limit", "limit_usd = 0"),
        ("Threshold out of range", "threshold_percent = 0"),
        ("FORECASTED alert on a DAILY budget", 'type              = "FORECASTED"'),
        ("Invalid email address", 'emails            = ["not-an-email"'),
        ("Duplicate email address", 'emails            = ["not-an-email"'),
        ("Invalid SNS topic ARN", "sns_topic_arn     = \"arn:aws:sqs:"),
        ("Too many email subscribers", 'emails = ["u0@example.com"'),
        ("Nobody to notify", 'resource "costops_budget_guard" "bad"'),
        ("Threshold out of range", "threshold_percent = 2000000"),
        ("Not a costops_schedule id", 'stop              = ["not a group"]'),
    ]
    for summary, code in expected:
        assert any(sev == "error" and s == summary and c.startswith(code)
                   for sev, s, c, _ in got), (summary, got)
    assert len([d for d in got if d[0] == "error"]) == len(expected), got
    assert not [c for c in emulator.calls() if c["service"] in ("budgets", "sns", "lambda", "iam")]


SEED_TAG = """
resource "costops_budget_guard" "seed" {
  name             = "retail-forecast-dev-monthly-budget"
  limit_usd        = 5
  cost_filter_tags = { Project = "RetailForecastMLOps" }
  %s
  notify {
    threshold_percent = 80
    emails            = ["finops@example.com"]
  }
}
"""


def test_seed_tag_mismatch(cli, aws, emulator):
    """The seed's own mistake: filtering on a tag value costops does not set."""
    cli.write(SEED_TAG % "", provider_extra=DEFAULT_TAGS)
    cli.init()
    emulator.clear_calls()
    res = cli.plan("-json", check=False)
    assert res.rc == 1
    errors = [d for d in diagnostics(res) if d[0] == "error"]
    assert len(errors) == 1, errors
    _, summary, code, detail = errors[0]
    assert summary == "Budget would watch spend costops does not tag"
    assert code.startswith("cost_filter_tags = { Project")
    assert 'Project = "RetailForecastMLOps"' in detail and 'Project = "RetailMLOps"' in detail
    assert any(d[1] == "Activate the cost allocation tags" for d in diagnostics(res))
    assert not [c for c in emulator.calls() if c["service"] == "budgets"]
    # Tags applied by other tools are allowed when said so.
    cli.write(SEED_TAG % "allow_foreign_tags = true", provider_extra=DEFAULT_TAGS)
    assert cli.plan_exitcode().rc == 2


def test_failure_midway_keeps_track_then_finishes_and_destroys(cli, aws, emulator):
    """A create that fails after the budget, the role and the topic exist
    returns a state naming them; the next apply finishes; an update that
    fails part way keeps what the state knew; destroy leaves nothing
    (checked with boto3)."""
    stack(aws)
    cli.write(example_hcl(), provider_extra=DEFAULT_TAGS)
    cli.init()
    lam = getattr(aws, "lambda")
    emulator.fault(service="lambda", operation="POST /2015-03-31/functions$",
                   status=400, code="InvalidParameterValueException", message="injected")
    res = cli.apply(check=False)
    assert res.rc == 1 and "InvalidParameterValueException" in res.all, res
    st = cli.resources()["costops_budget_guard.monthly"]
    aws.budgets.describe_budget(AccountId=ACCOUNT, BudgetName=BUDGET)
    topics = [t["TopicArn"] for t in aws.sns.list_topics()["Topics"]]
    assert st["breach_topic_arn"] in topics, (st, topics)
    role = st["breach_role_arn"].split("/")[-1]
    aws.iam.get_role(RoleName=role)
    assert st["breach_function_name"] == "" and lam.list_functions()["Functions"] == []

    cli.apply()
    st = cli.resources()["costops_budget_guard.monthly"]
    assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == [st["breach_function_name"]]
    topic = st["breach_topic_arn"]

    # The function deleted out of band, and the repair fails at the role:
    # the state still names the topic, so destroy removes it.
    lam.delete_function(FunctionName=st["breach_function_name"])
    emulator.fault(service="iam", operation="PutRolePolicy", status=400,
                   code="MalformedPolicyDocument", message="injected")
    res = cli.apply(check=False)
    assert res.rc == 1 and "MalformedPolicyDocument" in res.all, res
    assert cli.resources()["costops_budget_guard.monthly"]["breach_topic_arn"] == topic

    cli.destroy()
    assert aws.budgets.describe_budgets(AccountId=ACCOUNT).get("Budgets", []) == []
    assert [t["TopicArn"] for t in aws.sns.list_topics()["Topics"]] == []
    assert lam.list_functions()["Functions"] == []
    assert not [r for r in aws.iam.list_roles()["Roles"] if r["RoleName"] == role]
