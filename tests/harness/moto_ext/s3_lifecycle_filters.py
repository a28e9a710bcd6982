"""EXTENSION: the lifecycle fields moto 5.2.1 drops.

PutBucketLifecycleConfiguration in moto stores Prefix, Tag and And filters,
transitions, expirations and noncurrent-version actions, but silently drops
`ObjectSizeGreaterThan` / `ObjectSizeLessThan` (in `Filter` and in
`Filter/And`) and `NoncurrentVersionExpiration/NewerNoncurrentVersions`
(../../shared/reference/moto-coverage.md §S3). S3 keeps them and returns
them from GetBucketLifecycleConfiguration (Amazon S3 API Reference,
LifecycleRuleFilter, LifecycleRuleAndOperator, NoncurrentVersionExpiration).

moto still does everything else: the PUT and GET go to moto unchanged (its
validation and storage, its errors); after a PUT moto accepted, the dropped
fields are recorded on moto's bucket object, and a GET's answer gets them
back in the rules they belong to. A later PUT replaces them, a
DeleteBucketLifecycle or deleting the bucket makes them unreachable (moto
then answers NoSuchLifecycleConfiguration / NoSuchBucket), as in S3.
"""
import io
import xml.etree.ElementTree as ET

from werkzeug.wrappers import Response

from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

from . import extension

NS = "http://s3.amazonaws.com/doc/2006-03-01/"
ET.register_namespace("", NS)
SIZE_FIELDS = ("ObjectSizeGreaterThan", "ObjectSizeLessThan")

_moto = None


def _moto_app():
    global _moto
    if _moto is None:
        _moto = DomainDispatcherApplication(create_backend_app)
    return _moto


def _forward(request, body):
    environ = dict(request.environ)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return Response.from_app(_moto_app(), environ, buffered=True)


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _child(el, name):
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _bucket(region, request):
    name = request.path.lstrip("/").split("/", 1)[0]
    backend = s3_backends[DEFAULT_ACCOUNT_ID][get_partition(region)]
    return backend.get_bucket(name)


def _extras(rule):
    """The fields moto drops from one Rule element."""
    out = {"id": (_child(rule, "ID").text or "") if _child(rule, "ID") is not None else None}
    flt = _child(rule, "Filter")
    if flt is not None:
        where = flt
        a = _child(flt, "And")
        if a is not None:
            where = a
            out["in_and"] = True
        for f in SIZE_FIELDS:
            c = _child(where, f)
            if c is not None:
                out[f] = c.text
    nve = _child(rule, "NoncurrentVersionExpiration")
    if nve is not None and _child(nve, "NewerNoncurrentVersions") is not None:
        out["NewerNoncurrentVersions"] = _child(nve, "NewerNoncurrentVersions").text
    return out


def _is_lifecycle(request, operation):
    return "lifecycle" in request.args and request.method in ("PUT", "GET")


@extension("s3", _is_lifecycle)
def lifecycle(request, region, body):
    """EXTENSION: keeps ObjectSizeGreaterThan/LessThan and
    NewerNoncurrentVersions through Put/GetBucketLifecycleConfiguration."""
    resp = _forward(request, body)
    if resp.status_code != 200:
        return resp
    try:
        bucket = _bucket(region, request)
    except Exception:
        return resp
    if request.method == "PUT":
        # S3 echoes the transition default (PutBucketLifecycleConfiguration
        # response header), all_storage_classes_128K unless asked otherwise.
        resp.headers["x-amz-transition-default-minimum-object-size"] = request.headers.get(
            "x-amz-transition-default-minimum-object-size", "all_storage_classes_128K")
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            return resp
        bucket._costops_lifecycle_extras = [_extras(r) for r in root if _local(r.tag) == "Rule"]
        return resp
    extras = getattr(bucket, "_costops_lifecycle_extras", None)
    if not extras:
        return resp
    root = ET.fromstring(resp.get_data())
    rules = [r for r in root if _local(r.tag) == "Rule"]
    ids = [(_child(r, "ID").text or "") if _child(r, "ID") is not None else None for r in rules]
    if len(rules) != len(extras) or any(
            e["id"] is not None and e["id"] != i for e, i in zip(extras, ids)):
        return resp  # not the configuration the extras were recorded for
    for rule, e in zip(rules, extras):
        sizes = [(f, e[f]) for f in SIZE_FIELDS if f in e]
        if sizes:
            flt = _child(rule, "Filter")
            if flt is None:
                flt = ET.SubElement(rule, f"{{{NS}}}Filter")
            where = flt
            if e.get("in_and"):
                where = _child(flt, "And")
                if where is None:
                    where = ET.SubElement(flt, f"{{{NS}}}And")
            for f, v in sizes:
                if _child(where, f) is None:
                    ET.SubElement(where, f"{{{NS}}}{f}").text = v
        if "NewerNoncurrentVersions" in e:
            nve = _child(rule, "NoncurrentVersionExpiration")
            if nve is not None and _child(nve, "NewerNoncurrentVersions") is None:
                ET.SubElement(nve, f"{{{NS}}}NewerNoncurrentVersions").text = e["NewerNoncurrentVersions"]
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root)
    headers = {k: v for k, v in resp.headers.items() if k.lower() != "content-length"}
    return Response(data, status=200, headers=headers)
