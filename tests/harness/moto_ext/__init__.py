"""Extensions to moto for operations it lacks or gets wrong.

Each module here implements operations faithfully to the AWS API reference
(cited in the module), keeps its state beside moto's backends, and registers
itself with @extension. Every handler is marked EXTENSION in its docstring.
A handler gets (request, region, body) and returns a werkzeug Response, or
None to let moto answer.
"""
import importlib
import pkgutil

_handlers = []   # (service, matcher, fn)
_resetters = []


def extension(service, matcher):
    """Registers fn for requests to `service` (the SigV4 signing name) for
    which matcher(request, operation) is true."""
    def wrap(fn):
        _handlers.append((service, matcher, fn))
        return fn
    return wrap


def on_reset(fn):
    _resetters.append(fn)
    return fn


def handle(request, service, region, operation, body):
    for svc, matcher, fn in _handlers:
        if svc == service and matcher(request, operation):
            response = fn(request, region, body)
            if response is not None:
                return response
    return None


def reset():
    for fn in _resetters:
        fn()


for _m in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_m.name}")
