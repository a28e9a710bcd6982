"""EXTENSION: Lambda GetFunction's Code.Location.

AWS (Lambda API reference, GetFunction, FunctionCodeLocation.Location)
returns "a presigned URL that you can use to download the deployment
package", valid for 10 minutes. moto 5.2.1 returns an https URL on a host
that does not exist, so a test cannot fetch the code it deployed. Here
GetFunction answers as moto does (same backend, same JSON) except that
Location points at this emulator, which serves the stored package bytes
(moto keeps them as LambdaFunction.code_bytes).
"""
import json
from urllib.parse import quote, unquote

from moto.awslambda.models import lambda_backends
from werkzeug.wrappers import Response

from . import extension
from .budgets_update import _caller_account

_CODE_PATH = "/costops-lambda-code/"


def _is_get_function(request, operation):
    parts = request.path.strip("/").split("/")
    return request.method == "GET" and len(parts) == 3 and parts[1] == "functions"


@extension("lambda", _is_get_function)
def get_function(request, region, body):
    """EXTENSION: GetFunction with a fetchable Code.Location."""
    name = unquote(request.path.rstrip("/").rsplit("/", 1)[-1])
    account = _caller_account(request)
    try:
        fn = lambda_backends[account][region].get_function(
            name, request.args.get("Qualifier"))
    except Exception:  # noqa: BLE001 - moto answers errors in its own words
        return None
    code = fn.get_code()
    if getattr(fn, "code_bytes", b"") and code.get("Code", {}).get("RepositoryType") == "S3":
        code["Code"]["Location"] = (request.host_url.rstrip("/") + _CODE_PATH +
                                    "/".join(quote(p, safe="") for p in
                                             (account, region, fn.function_name)))
    return Response(json.dumps(code), status=200, content_type="application/json")


def _is_code_download(request, operation):
    return request.method == "GET" and request.path.startswith(_CODE_PATH)


# The presigned URL is fetched without SigV4, so the emulator routes it as
# S3 (its default for unsigned requests).
@extension("s3", _is_code_download)
def download(request, region, body):
    """EXTENSION: serves a function's deployment package (the presigned
    URL of GetFunction)."""
    parts = [unquote(p) for p in request.path[len(_CODE_PATH):].split("/")]
    if len(parts) != 3:
        return Response("not found", status=404)
    account, fn_region, name = parts
    try:
        fn = lambda_backends[account][fn_region].get_function(name, None)
    except Exception:  # noqa: BLE001
        return Response("<Error><Code>NoSuchKey</Code></Error>", status=404,
                        content_type="application/xml")
    return Response(fn.code_bytes, status=200, content_type="application/zip")
