"""EKS managed node groups: tags on node group ARNs, and the CREATING /
DELETING states moto skips.

EXTENSION, against the Amazon EKS API reference:
- TagResource (POST /tags/{resourceArn}), UntagResource (DELETE
  /tags/{resourceArn}?tagKeys=...) and ListTagsForResource (GET
  /tags/{resourceArn}) accept node group ARNs
  (arn:aws:eks:<region>:<account>:nodegroup/<cluster>/<name>/<uuid>); moto
  5.2.1 only finds clusters and answers 404 for node groups. The node group's
  own `tags` (what DescribeNodegroup returns) are changed, as in AWS.
- DescribeNodegroup `status`: CREATING until the group is ready, DELETING
  after DeleteNodegroup until it is gone (404 ResourceNotFoundException).
  moto makes every group ACTIVE at once and deletes it at once, so a wait
  loop cannot be tested against it. Test hook (not an AWS feature): a node
  group created with the tag `costops-test:create-polls = N` answers
  CREATING to its first N DescribeNodegroup calls, then ACTIVE; one with
  `costops-test:delete-polls = N` still answers, with status DELETING, N
  DescribeNodegroup calls after DeleteNodegroup (and stays listed in
  ListNodegroups meanwhile, as AWS does), then 404. Without these tags moto's
  behaviour is unchanged.
"""
import json
import re
import threading

from werkzeug.wrappers import Response

from moto.core import DEFAULT_ACCOUNT_ID
from moto.eks.models import eks_backends

from . import extension, on_reset

_lock = threading.Lock()
_create_left = {}   # nodegroup ARN -> CREATING answers left
_deleting = {}      # (region, cluster, name) -> [answers left, Nodegroup]

_NG_PATH = re.compile(r"^/clusters/([^/]+)/node-groups/([^/]+)$")
_TAGS_PATH = re.compile(r"^/tags/(arn:[^/]+:eks:[^:]*:[^:]*:nodegroup/.+)$")


@on_reset
def _reset():
    with _lock:
        _create_left.clear()
        _deleting.clear()


def _backend(region):
    return eks_backends[DEFAULT_ACCOUNT_ID][region]


def _error(status, code, message):
    return Response(json.dumps({"message": message}), status=status,
                    content_type="application/json",
                    headers={"X-Amzn-ErrorType": code,
                             "x-amzn-RequestId": "costops-ext"})


def _polls(tags, key):
    try:
        return max(0, int((tags or {}).get(key, "0")))
    except ValueError:
        return 0


def _find_by_arn(region, arn):
    for cluster in _backend(region).clusters.values():
        for ng in cluster.nodegroups.values():
            if ng.arn == arn:
                return ng
    return None


@extension("eks", lambda req, op: req.method == "GET" and _NG_PATH.match(req.path))
def describe_nodegroup(request, region, body):
    """EXTENSION: DescribeNodegroup status CREATING / DELETING (see module
    docstring). Adjusts moto's node group, then lets moto answer."""
    cluster_name, name = _NG_PATH.match(request.path).groups()
    backend = _backend(region)
    cluster = backend.clusters.get(cluster_name)
    with _lock:
        key = (region, cluster_name, name)
        pending = _deleting.get(key)
        if pending is not None:
            if pending[0] > 0 and cluster is not None:
                pending[0] -= 1
                pending[1].status = "DELETING"
                cluster.nodegroups[name] = pending[1]
            else:
                if cluster is not None and cluster.nodegroups.get(name) is pending[1]:
                    del cluster.nodegroups[name]
                del _deleting[key]
            return None
        ng = cluster.nodegroups.get(name) if cluster else None
        if ng is None:
            return None
        if ng.arn not in _create_left:
            _create_left[ng.arn] = _polls(ng.tags, "costops-test:create-polls")
        if _create_left[ng.arn] > 0:
            _create_left[ng.arn] -= 1
            ng.status = "CREATING"
        elif ng.status == "CREATING":
            ng.status = "ACTIVE"
    return None


@extension("eks", lambda req, op: req.method == "DELETE" and _NG_PATH.match(req.path))
def delete_nodegroup(request, region, body):
    """EXTENSION: DeleteNodegroup leaves the group DELETING for a few
    describes when tagged costops-test:delete-polls (see module docstring).
    moto deletes and answers; the group is put back as DELETING by the
    next DescribeNodegroup."""
    cluster_name, name = _NG_PATH.match(request.path).groups()
    cluster = _backend(region).clusters.get(cluster_name)
    ng = cluster.nodegroups.get(name) if cluster else None
    if ng is not None:
        n = _polls(ng.tags, "costops-test:delete-polls")
        if n > 0:
            with _lock:
                _deleting[(region, cluster_name, name)] = [n, ng]
    return None


@extension("eks", lambda req, op: _TAGS_PATH.match(req.path))
def nodegroup_tags(request, region, body):
    """EXTENSION: TagResource / UntagResource / ListTagsForResource on a
    node group ARN (Amazon EKS API reference). Limits as documented: at most
    50 tags, keys up to 128 and values up to 256 characters, no `aws:`
    prefix (BadRequestException)."""
    arn = _TAGS_PATH.match(request.path).group(1)
    ng = _find_by_arn(region, arn)
    if ng is None:
        return _error(404, "NotFoundException", "Resource was not found")
    if request.method == "GET":
        return Response(json.dumps({"tags": ng.tags}), content_type="application/json")
    if request.method == "POST":
        tags = (json.loads(body or b"{}") or {}).get("tags") or {}
        for k, v in tags.items():
            if k.lower().startswith("aws:") or not 1 <= len(k) <= 128 or len(v) > 256:
                return _error(400, "BadRequestException", f"Invalid tag {k!r}")
        merged = dict(ng.tags)
        merged.update(tags)
        if len(merged) > 50:
            return _error(400, "BadRequestException", "A resource can have at most 50 tags")
        ng.tags.clear()
        ng.tags.update(merged)
        return Response("{}", content_type="application/json")
    if request.method == "DELETE":
        for k in request.args.getlist("tagKeys"):
            ng.tags.pop(k, None)
        return Response("{}", content_type="application/json")
    return None
