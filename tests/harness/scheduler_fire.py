#!/usr/bin/env python3
"""Fires EventBridge Scheduler schedules against the emulator, as Scheduler
would: moto stores schedules but never runs them.

For a schedule it reads the target with GetSchedule, maps the universal
target ARN `arn:<partition>:scheduler:::aws-sdk:<service>:<apiAction>` to the
boto3 method (service as the boto3 client name, apiAction camelCase ->
snake_case), checks the target's Input against botocore's service model for
that operation (ParamValidator, the check botocore itself makes before
sending), and makes the call with the Input's keys as the request (EKS
members are camelCase in the API and in boto3; SageMaker's PascalCase).

Used by tests (import and call `fire`, `fire_group`) and by hand:
    python scheduler_fire.py --endpoint http://127.0.0.1:5000 --group G [--prefix stop]
"""
import argparse
import json
import re

import boto3
import botocore.session
from botocore.validate import ParamValidator

UNIVERSAL = re.compile(r"^arn:[a-z-]+:scheduler:::aws-sdk:([a-z0-9-]+):([a-z][A-Za-z0-9]*)$")

_MODELS = {}


class InvalidInput(Exception):
    """The target's Input is not a valid request for its operation."""


def snake(action):
    """updateNodegroupConfig -> update_nodegroup_config (boto3's name)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()


def parse_target_arn(arn):
    m = UNIVERSAL.match(arn or "")
    if not m:
        raise InvalidInput(f"not a universal target ARN: {arn!r}")
    return m.group(1), m.group(2)


def validate_input(service, action, params):
    """Raises InvalidInput when params do not fit the operation's input
    shape in botocore's model (unknown members, missing required ones,
    wrong types or ranges)."""
    if service not in _MODELS:
        _MODELS[service] = botocore.session.get_session().get_service_model(service)
    op = _MODELS[service].operation_model(action[0].upper() + action[1:])
    report = ParamValidator().validate(params, op.input_shape)
    if report.has_errors():
        raise InvalidInput(f"{service}:{action}: {report.generate_report()}")
    return op


def _client(clients, service):
    return clients(service) if callable(clients) else getattr(clients, service)


def fire(clients, group, name, respect_state=True):
    """Fires one schedule. clients: an object with boto3 clients as
    attributes (the e2e `aws` fixture) or a function service -> client.
    Returns (response, None), or (None, reason) when Scheduler would not
    run it (disabled)."""
    s = _client(clients, "scheduler").get_schedule(GroupName=group, Name=name)
    if respect_state and s.get("State") == "DISABLED":
        return None, "disabled"
    target = s["Target"]
    service, action = parse_target_arn(target["Arn"])
    params = json.loads(target.get("Input") or "{}")
    validate_input(service, action, params)
    return getattr(_client(clients, service), snake(action))(**params), None


def schedules(clients, group, prefix=""):
    """Names of the group's schedules starting with prefix, sorted."""
    sch = _client(clients, "scheduler")
    names, token = [], None
    while True:
        kw = {"GroupName": group, "MaxResults": 100}
        if prefix:
            kw["NamePrefix"] = prefix
        if token:
            kw["NextToken"] = token
        page = sch.list_schedules(**kw)
        names += [x["Name"] for x in page.get("Schedules", [])]
        token = page.get("NextToken")
        if not token:
            return sorted(names)


def fire_group(clients, group, prefix, respect_state=True, one_time=False):
    """Fires every schedule of the group whose name starts with prefix.
    Recurring schedules only, unless one_time (at() ones too). Returns
    {name: response or skip reason}."""
    out = {}
    for name in schedules(clients, group, prefix):
        s = _client(clients, "scheduler").get_schedule(GroupName=group, Name=name)
        if not one_time and s["ScheduleExpression"].startswith("at("):
            continue
        resp, why = fire(clients, group, name, respect_state)
        out[name] = why or resp
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--group", required=True)
    ap.add_argument("--prefix", default="")
    ap.add_argument("--region", default="us-east-1")
    args = ap.parse_args()

    def client(service):
        return boto3.client(service, region_name=args.region, endpoint_url=args.endpoint,
                            aws_access_key_id="testing", aws_secret_access_key="testing")
    for name, resp in fire_group(client, args.group, args.prefix).items():
        print(name, "skipped: " + resp if isinstance(resp, str) else "fired")


if __name__ == "__main__":
    main()
