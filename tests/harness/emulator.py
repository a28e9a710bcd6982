#!/usr/bin/env python3
"""The AWS emulator costops' tests, `make emulator` and `make demo` share.

moto (pinned in requirements.txt) in server mode, wrapped in a small WSGI
layer that adds, for the operations moto lacks or gets wrong, implementations
written against the AWS API reference (tests/harness/moto_ext/, each marked
EXTENSION with its reference), plus a test-only control endpoint for fault
injection (/costops-test/...). Everything else goes to moto unchanged.

Run: python emulator.py [--port 5000]  (0 picks a free port; the first line
on stdout is "listening on http://127.0.0.1:<port>").
"""
import argparse
import json
import os
import re
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from werkzeug.serving import make_server  # noqa: E402
from werkzeug.wrappers import Request, Response  # noqa: E402

from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    create_backend_app,
)

import moto_ext  # noqa: E402

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


class Faults:
    """Injected failures: {service, operation, status, code, message, count,
    after}. An operation is the X-Amz-Target suffix (JSON), the Action
    parameter (Query) or "METHOD /path-regex" (REST)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []
        self.hits = []

    def add(self, rule):
        rule.setdefault("count", 1)
        rule.setdefault("after", 0)
        rule.setdefault("status", 500)
        rule.setdefault("code", "InternalFailure")
        rule.setdefault("message", "injected by the costops test harness")
        with self.lock:
            self.rules.append(rule)

    def clear(self):
        with self.lock:
            self.rules.clear()
            self.hits.clear()

    def match(self, service, operation, method, path):
        with self.lock:
            for rule in self.rules:
                if rule["service"] != service:
                    continue
                op = rule["operation"]
                if " " in op:
                    m, rx = op.split(" ", 1)
                    if m != method or not re.search(rx, path):
                        continue
                elif op != operation:
                    continue
                if rule["after"] > 0:
                    rule["after"] -= 1
                    continue
                if rule["count"] == 0:
                    continue
                rule["count"] -= 1
                self.hits.append({"service": service, "operation": operation or f"{method} {path}"})
                return rule
        return None


def operation_of(request, body):
    target = request.headers.get("X-Amz-Target", "")
    if target:
        return target.split(".")[-1]
    if request.content_type and "x-www-form-urlencoded" in request.content_type:
        m = re.search(r"(?:^|&)Action=([^&]+)", body.decode("utf-8", "replace"))
        if m:
            return m.group(1)
    return request.args.get("Action", "")


def error_response(service, rule):
    status = int(rule["status"])
    if service in ("sts", "iam", "sns", "ec2", "elasticloadbalancing", "autoscaling", "s3"):
        xml = (f"<ErrorResponse><Error><Code>{rule['code']}</Code>"
               f"<Message>{rule['message']}</Message></Error>"
               f"<RequestId>costops-injected</RequestId></ErrorResponse>")
        return Response(xml, status=status, content_type="text/xml")
    body = json.dumps({"__type": rule["code"], "message": rule["message"]})
    return Response(body, status=status, content_type="application/x-amz-json-1.1",
                    headers={"x-amzn-RequestId": "costops-injected",
                             "X-Amzn-ErrorType": rule["code"]})


class Emulator:
    def __init__(self):
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.faults = Faults()
        self.calls = []
        self.calls_lock = threading.Lock()

    def control(self, request):
        path = request.path[len("/costops-test/"):]
        if path == "faults" and request.method == "POST":
            self.faults.add(json.loads(request.get_data() or b"{}"))
            return Response("{}", content_type="application/json")
        if path == "faults" and request.method == "DELETE":
            self.faults.clear()
            return Response("{}", content_type="application/json")
        if path == "faults/hits":
            with self.faults.lock:
                return Response(json.dumps(self.faults.hits), content_type="application/json")
        if path == "calls":
            with self.calls_lock:
                if request.method == "DELETE":
                    self.calls.clear()
                    return Response("[]", content_type="application/json")
                return Response(json.dumps(self.calls), content_type="application/json")
        if path == "reset" and request.method == "POST":
            moto_ext.reset()
            self.faults.clear()
            with self.calls_lock:
                self.calls.clear()
            return Response("{}", content_type="application/json")
        return Response("not found", status=404)

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path.startswith("/costops-test/"):
            return self.control(request)(environ, start_response)
        body = request.get_data(cache=True)
        auth = request.headers.get("Authorization", "")
        m = _SCOPE.search(auth)
        region, service = (m.group(1), m.group(2)) if m else ("us-east-1", "s3")
        operation = operation_of(request, body)
        with self.calls_lock:
            self.calls.append({"service": service, "operation": operation,
                               "method": request.method, "path": request.path,
                               "query": request.query_string.decode()})
        rule = self.faults.match(service, operation, request.method, request.path)
        if rule:
            return error_response(service, rule)(environ, start_response)
        handled = moto_ext.handle(request, service, region, operation, body)
        if handled is not None:
            return handled(environ, start_response)
        # werkzeug consumed the stream; give moto the cached body back.
        environ["wsgi.input"] = __import__("io").BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.moto(environ, start_response)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    args = ap.parse_args()
    server = make_server(args.host, args.port, Emulator(), threaded=True)
    print(f"listening on http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
