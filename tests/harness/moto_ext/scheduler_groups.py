"""EXTENSION: EventBridge Scheduler schedule-group errors moto 5.2.1 gets
wrong, written against the EventBridge Scheduler API reference:

- DeleteScheduleGroup (API_DeleteScheduleGroup) of a group that does not
  exist answers 404 ResourceNotFoundException; moto raises KeyError (500).
- CreateSchedule (API_CreateSchedule) naming a GroupName that does not exist
  answers 404 ResourceNotFoundException; moto raises KeyError (500).

Both read moto's own scheduler backend and only answer the error case; every
other request goes on to moto unchanged.
"""
import json
import re

from moto.scheduler.models import scheduler_backends
from werkzeug.wrappers import Response

from . import extension

ACCOUNT = "123456789012"


def _not_found(message):
    return Response(json.dumps({"Message": message}), status=404,
                    content_type="application/json",
                    headers={"X-Amzn-ErrorType": "ResourceNotFoundException"})


def _backend(region):
    return scheduler_backends[ACCOUNT][region]


def _is_group_delete(request, operation):
    return request.method == "DELETE" and re.fullmatch(r"/schedule-groups/[^/]+", request.path)


@extension("scheduler", _is_group_delete)
def delete_schedule_group(request, region, body):
    """EXTENSION: DeleteScheduleGroup of a missing group is a 404."""
    name = request.path.rsplit("/", 1)[1]
    if name not in _backend(region).schedule_groups:
        return _not_found(f"Schedule group {name} does not exist.")
    return None


def _is_schedule_create(request, operation):
    return request.method == "POST" and re.fullmatch(r"/schedules/[^/]+", request.path)


@extension("scheduler", _is_schedule_create)
def create_schedule(request, region, body):
    """EXTENSION: CreateSchedule in a missing group is a 404."""
    try:
        group = json.loads(body or b"{}").get("GroupName") or "default"
    except ValueError:
        return None
    backend = _backend(region)
    if group != "default" and group not in backend.schedule_groups:
        return _not_found(f"Schedule group {group} does not exist.")
    return None
