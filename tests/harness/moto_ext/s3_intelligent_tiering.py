"""EXTENSION: S3 Intelligent-Tiering configurations, which moto 5.2.1 does
not dispatch (`?intelligent-tiering` falls through to CreateBucket,
ListObjects and DeleteBucket: a PUT creates a missing bucket and a DELETE
deletes an empty one; ../../shared/reference/moto-coverage.md §S3 and §5).

Written against the Amazon S3 API Reference:
- PutBucketIntelligentTieringConfiguration
  (PUT /<bucket>?intelligent-tiering&id=Id, body IntelligentTieringConfiguration,
  200 with an empty body),
- GetBucketIntelligentTieringConfiguration
  (GET /<bucket>?intelligent-tiering&id=Id),
- DeleteBucketIntelligentTieringConfiguration
  (DELETE /<bucket>?intelligent-tiering&id=Id, 204),
- ListBucketIntelligentTieringConfigurations
  (GET /<bucket>?intelligent-tiering[&continuation-token=T], at most 100 per
  page, ListBucketIntelligentTieringConfigurationsOutput),
and the data types IntelligentTieringConfiguration, IntelligentTieringFilter
(Prefix | Tag | And{Prefix, Tag...}), Tiering (AccessTier ARCHIVE_ACCESS with
Days 90-730, DEEP_ARCHIVE_ACCESS with Days 180-730) and Status
(Enabled | Disabled). A missing bucket gives NoSuchBucket (404), a missing
configuration NoSuchConfiguration (404). Up to 1,000 configurations per
bucket (S3 User Guide, "Using S3 Intelligent-Tiering").

Only path-style requests are handled (the harness and costops' tests use
path-style addressing). The configurations live on moto's bucket object, so
they vanish with the bucket and with a moto reset, as in S3.
"""
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from werkzeug.wrappers import Response

from moto.core import DEFAULT_ACCOUNT_ID
from moto.s3.exceptions import MissingBucket
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

from . import extension

NS = "http://s3.amazonaws.com/doc/2006-03-01/"
PAGE = 100
MAX_CONFIGS = 1000
DAYS = {"ARCHIVE_ACCESS": (90, 730), "DEEP_ARCHIVE_ACCESS": (180, 730)}


def _error(status, code, message, bucket=None):
    extra = f"<BucketName>{escape(bucket)}</BucketName>" if bucket else ""
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{escape(message)}</Message>{extra}"
            f"<RequestId>costops-ext</RequestId></Error>")
    return Response(body, status=status, content_type="application/xml")


def _bucket_name(request):
    parts = request.path.lstrip("/").split("/", 1)
    if not parts[0]:
        return None
    return parts[0]


def _bucket(region, name):
    backend = s3_backends[DEFAULT_ACCOUNT_ID][get_partition(region)]
    return backend.get_bucket(name)


def _store(bucket):
    store = getattr(bucket, "_costops_intelligent_tiering", None)
    if store is None:
        store = {}
        bucket._costops_intelligent_tiering = store
    return store


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _child(el, name):
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _children(el, name):
    return [c for c in el if _local(c.tag) == name]


def _text(el, name):
    c = _child(el, name)
    return None if c is None else (c.text or "")


class _Invalid(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def _parse_tag(el):
    key = _text(el, "Key")
    if key is None:
        raise _Invalid("MalformedXML", "Tag needs a Key")
    return {"Key": key, "Value": _text(el, "Value") or ""}


def _parse(body):
    """The IntelligentTieringConfiguration document as a dict, or _Invalid."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise _Invalid("MalformedXML", "The XML you provided was not well-formed "
                       "or did not validate against our published schema")
    if _local(root.tag) != "IntelligentTieringConfiguration":
        raise _Invalid("MalformedXML", "expected IntelligentTieringConfiguration")
    cfg = {"Id": _text(root, "Id"), "Status": _text(root, "Status")}
    if not cfg["Id"]:
        raise _Invalid("MalformedXML", "Id is required")
    if cfg["Status"] not in ("Enabled", "Disabled"):
        raise _Invalid("MalformedXML", "Status must be Enabled or Disabled")
    flt = _child(root, "Filter")
    if flt is not None:
        f = {}
        if _child(flt, "Prefix") is not None:
            f["Prefix"] = _text(flt, "Prefix")
        if _child(flt, "Tag") is not None:
            f["Tag"] = _parse_tag(_child(flt, "Tag"))
        a = _child(flt, "And")
        if a is not None:
            f["And"] = {"Prefix": _text(a, "Prefix"),
                        "Tags": [_parse_tag(t) for t in _children(a, "Tag")]}
        # IntelligentTieringFilter: Prefix, Tag and And are alternatives.
        if len(f) > 1:
            raise _Invalid("MalformedXML", "Filter takes one of Prefix, Tag or And")
        cfg["Filter"] = f
    tierings = []
    seen = set()
    for t in _children(root, "Tiering"):
        tier = _text(t, "AccessTier")
        days = _text(t, "Days")
        if tier not in DAYS:
            raise _Invalid("MalformedXML", f"AccessTier {tier!r} is not "
                           "ARCHIVE_ACCESS or DEEP_ARCHIVE_ACCESS")
        if tier in seen:
            raise _Invalid("InvalidArgument", f"AccessTier {tier} appears twice")
        seen.add(tier)
        try:
            n = int(days)
        except (TypeError, ValueError):
            raise _Invalid("MalformedXML", "Days must be an integer")
        lo, hi = DAYS[tier]
        if not lo <= n <= hi:
            raise _Invalid("InvalidArgument", f"Days for {tier} must be between "
                           f"{lo} and {hi}, got {n}")
        tierings.append({"AccessTier": tier, "Days": n})
    if not tierings:
        raise _Invalid("MalformedXML", "at least one Tiering is required")
    cfg["Tierings"] = tierings
    return cfg


def _render_tag(t):
    return f"<Tag><Key>{escape(t['Key'])}</Key><Value>{escape(t['Value'])}</Value></Tag>"


def _render(cfg, root=True):
    out = [f'<IntelligentTieringConfiguration xmlns="{NS}">' if root
           else "<IntelligentTieringConfiguration>"]
    out.append(f"<Id>{escape(cfg['Id'])}</Id>")
    f = cfg.get("Filter")
    if f is not None:
        out.append("<Filter>")
        if "Prefix" in f:
            out.append(f"<Prefix>{escape(f['Prefix'] or '')}</Prefix>")
        if "Tag" in f:
            out.append(_render_tag(f["Tag"]))
        if "And" in f:
            out.append("<And>")
            if f["And"]["Prefix"] is not None:
                out.append(f"<Prefix>{escape(f['And']['Prefix'])}</Prefix>")
            out.extend(_render_tag(t) for t in f["And"]["Tags"])
            out.append("</And>")
        out.append("</Filter>")
    out.append(f"<Status>{cfg['Status']}</Status>")
    for t in cfg["Tierings"]:
        out.append(f"<Tiering><Days>{t['Days']}</Days>"
                   f"<AccessTier>{t['AccessTier']}</AccessTier></Tiering>")
    out.append("</IntelligentTieringConfiguration>")
    return "".join(out)


def _is_tiering(request, operation):
    return "intelligent-tiering" in request.args


@extension("s3", _is_tiering)
def intelligent_tiering(request, region, body):
    """EXTENSION: Put/Get/Delete/ListBucketIntelligentTieringConfiguration(s)."""
    name = _bucket_name(request)
    if name is None:
        return _error(400, "InvalidRequest", "A bucket is required")
    try:
        bucket = _bucket(region, name)
    except MissingBucket:
        return _error(404, "NoSuchBucket", "The specified bucket does not exist", name)
    store = _store(bucket)
    cid = request.args.get("id")
    method = request.method

    if method == "GET" and cid is None:
        ids = sorted(store)
        token = request.args.get("continuation-token")
        start = 0
        if token:
            if token not in store:
                return _error(400, "InvalidArgument", "The continuation token is not valid")
            start = ids.index(token)
        page = ids[start:start + PAGE]
        more = start + PAGE < len(ids)
        out = [f'<?xml version="1.0" encoding="UTF-8"?>\n'
               f'<ListBucketIntelligentTieringConfigurationsOutput xmlns="{NS}">',
               f"<IsTruncated>{'true' if more else 'false'}</IsTruncated>"]
        if token:
            out.append(f"<ContinuationToken>{escape(token)}</ContinuationToken>")
        if more:
            out.append(f"<NextContinuationToken>{escape(ids[start + PAGE])}"
                       "</NextContinuationToken>")
        out.extend(_render(store[i], root=False) for i in page)
        out.append("</ListBucketIntelligentTieringConfigurationsOutput>")
        return Response("".join(out), status=200, content_type="application/xml")

    if not cid:
        return _error(400, "InvalidArgument", "An id is required for this request")

    if method == "GET":
        if cid not in store:
            return _error(404, "NoSuchConfiguration", "The specified configuration does not exist.")
        return Response('<?xml version="1.0" encoding="UTF-8"?>\n' + _render(store[cid]),
                        status=200, content_type="application/xml")
    if method == "DELETE":
        if cid not in store:
            return _error(404, "NoSuchConfiguration", "The specified configuration does not exist.")
        del store[cid]
        return Response("", status=204)
    if method == "PUT":
        try:
            cfg = _parse(body)
        except _Invalid as e:
            return _error(400, e.code, e.message)
        if cfg["Id"] != cid:
            # The API reference names the configuration by the id query
            # parameter and repeats it in the body; they must agree.
            return _error(400, "InvalidArgument", "The Id in the body does not match the id parameter")
        if cid not in store and len(store) >= MAX_CONFIGS:
            return _error(400, "TooManyConfigurations",
                          "You are attempting to create a new configuration but have already reached the 1,000-configuration limit.")
        store[cid] = cfg
        return Response("", status=200)
    return _error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
