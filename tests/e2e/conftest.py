"""End-to-end fixtures: the AWS emulator on a free loopback port, boto3
clients pointed at it (the independent checker), and a `cli` fixture that
runs every Terraform-compatible CLI found (OpenTofu from .tools/bin, terraform
from PATH) against a local filesystem mirror holding the built provider.

With neither CLI present the tests fail; they never skip."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
import pytest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PROVIDER_DIR = os.environ.get("COSTOPS_PROVIDER_DIR", os.path.join(TOP, "build"))
PROVIDER_BIN = os.path.join(PROVIDER_DIR, "terraform-provider-costops")
SOURCE = "costops.dev/costops/costops"
VERSION = "0.1.0"
REGION = "us-east-1"


def find_clis():
    clis = []
    tofu = os.path.join(TOP, ".tools", "bin", "tofu")
    if os.access(tofu, os.X_OK):
        clis.append(("tofu", tofu))
    tf = shutil.which("terraform")
    if tf:
        clis.append(("terraform", tf))
    return clis


CLIS = find_clis()


def pytest_generate_tests(metafunc):
    if "cli" in metafunc.fixturenames:
        if not CLIS:
            # Fail loudly: an e2e suite with no CLI proves nothing.
            metafunc.parametrize("cli", [pytest.param(None, id="no-cli")])
        else:
            metafunc.parametrize("cli", [c[0] for c in CLIS], indirect=True)


# ---- the emulator ----------------------------------------------------------

class Emulator:
    def __init__(self):
        env = dict(os.environ)
        env.pop("AWS_ENDPOINT_URL", None)
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(TOP, "tests", "harness", "emulator.py"), "--port", "0"],
            stdout=subprocess.PIPE, stderr=open(os.path.join(tempfile.gettempdir(), f"costops-emulator-{os.getpid()}.log"), "w"),
            text=True, env=env)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on "):
            raise RuntimeError(f"emulator did not start: {line!r}")
        self.url = line.split()[-1]

    def post(self, path, data=b"", method="POST"):
        req = urllib.request.Request(self.url + path, data=data, method=method)
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.read()

    def reset(self):
        self.post("/moto-api/reset")
        self.post("/costops-test/reset")

    def fault(self, **rule):
        self.post("/costops-test/faults", json.dumps(rule).encode())

    def calls(self):
        return json.loads(self.post("/costops-test/calls", method="GET"))

    def clear_calls(self):
        self.post("/costops-test/calls", method="DELETE")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def emulator():
    emu = Emulator()
    yield emu
    emu.stop()


@pytest.fixture
def aws(emulator):
    """boto3 clients on the emulator; state reset before each test."""
    emulator.reset()

    class Clients:
        def __getattr__(self, service):
            return boto3.client(
                service, region_name=REGION, endpoint_url=emulator.url,
                aws_access_key_id="testing", aws_secret_access_key="testing",
                config=boto3.session.Config(s3={"addressing_style": "path"},
                                            retries={"max_attempts": 1}))
    return Clients()


# ---- the CLIs ------------------------------------------------------------------

@pytest.fixture(scope="session")
def mirror(tmp_path_factory):
    if not os.access(PROVIDER_BIN, os.X_OK):
        pytest.fail(f"provider not built: {PROVIDER_BIN} (run make build)")
    root = tmp_path_factory.mktemp("mirror")
    pkg = root / "costops.dev" / "costops" / "costops" / VERSION / "linux_amd64"
    pkg.mkdir(parents=True)
    shutil.copy2(PROVIDER_BIN, pkg / f"terraform-provider-costops_v{VERSION}")
    rc = root / "cli.tfrc"
    rc.write_text(f"""
provider_installation {{
  filesystem_mirror {{
    path    = "{root}"
    include = ["costops.dev/*/*"]
  }}
  direct {{
    exclude = ["costops.dev/*/*"]
  }}
}}
""")
    return rc


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    @property
    def all(self):
        return self.out + self.err

    def __repr__(self):
        return f"rc={self.rc}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


class Cli:
    def __init__(self, name, path, workdir, env):
        self.name, self.path, self.workdir, self.env = name, path, workdir, env

    def write(self, main_tf, provider_extra=""):
        """Writes main.tf with the provider block pointed at the emulator."""
        (self.workdir / "main.tf").write_text(self.provider_block(provider_extra) + main_tf)

    def provider_block(self, extra=""):
        url = self.env["COSTOPS_TEST_ENDPOINT"]
        services = ["autoscaling", "budgets", "ce", "ec2", "ecr", "eks", "elbv2", "events",
                    "iam", "lambda", "logs", "resourcegroupstaggingapi", "s3", "sagemaker",
                    "scheduler", "sns", "sts"]
        eps = "\n".join(f'    {s} = "{url}"' for s in services)
        return f"""
terraform {{
  required_providers {{
    costops = {{ source = "{SOURCE}" }}
  }}
}}

provider "costops" {{
  region            = "{REGION}"
  access_key        = "testing"
  secret_key        = "testing"
  s3_use_path_style = true
  max_retries       = 2
  endpoints {{
{eps}
  }}
{extra}
}}
"""

    def run(self, *args, check=True, timeout=600, env=None):
        e = dict(self.env)
        if env:
            e.update(env)
        proc = subprocess.run([self.path, *args], cwd=self.workdir, env=e,
                              capture_output=True, text=True, timeout=timeout)
        res = Result(proc)
        if check and res.rc != 0:
            raise AssertionError(f"{self.name} {' '.join(args)} failed: {res!r}")
        return res

    def init(self):
        return self.run("init", "-input=false", "-no-color")

    def apply(self, *extra, check=True):
        return self.run("apply", "-auto-approve", "-input=false", "-no-color", *extra, check=check)

    def plan(self, *extra, check=True):
        return self.run("plan", "-input=false", "-no-color", *extra, check=check)

    def plan_exitcode(self, *extra):
        """0 = no changes, 2 = changes (plan -detailed-exitcode)."""
        return self.run("plan", "-input=false", "-no-color", "-detailed-exitcode", *extra, check=False)

    def destroy(self, *extra, check=True):
        return self.run("destroy", "-auto-approve", "-input=false", "-no-color", *extra, check=check)

    def state(self):
        out = self.run("show", "-json").out
        return json.loads(out)

    def resources(self):
        st = self.state()
        res = st.get("values", {}).get("root_module", {}).get("resources", [])
        return {r["address"]: r["values"] for r in res}

    def output(self, name):
        return json.loads(self.run("output", "-json", name).out)


@pytest.fixture
def cli(request, emulator, mirror, tmp_path, aws):
    if request.param is None:
        pytest.fail("no Terraform-compatible CLI found: run `make setup` "
                    "(OpenTofu into .tools/bin) or put terraform on PATH")
    name = request.param
    path = dict(CLIS)[name]
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("AWS_") or k.startswith("TF_"):
            env.pop(k)
    env.update({
        "TF_CLI_CONFIG_FILE": str(mirror),
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
        "TF_LOG_PROVIDER": os.environ.get("TF_LOG_PROVIDER", ""),
        "TF_LOG_PATH": str(tmp_path / "tf.log"),
        "TF_LOG": os.environ.get("TF_LOG", "DEBUG"),
        "COSTOPS_TEST_ENDPOINT": emulator.url,
        "COSTOPS_RETRY_BASE_MS": "20",
        "HOME": str(tmp_path),
    })
    work = tmp_path / "work"
    work.mkdir()
    return Cli(name, path, work, env)
