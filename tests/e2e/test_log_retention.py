"""costops_log_retention end to end, per CLI: init, validate, plan, apply, a
plan with no changes, out-of-band changes that plan reports, import,
destroy; every AWS effect checked with boto3. Then bad input: each a
diagnostic naming the attribute or the cause, with nothing changed in AWS."""
import urllib.request

GROUPS = {
    "/aws/eks/retail-forecast-cluster/cluster": 30,   # set before costops
    "/aws/retail-forecast/api": None,
    "/aws/sagemaker/TrainingJobs": None,
}
DECOY = "/other-team/app"

CONFIG = """
resource "costops_log_retention" "logs" {
  log_group_prefixes = [
    "/aws/eks/retail-forecast-cluster",
    "/aws/retail-forecast",
    "/aws/sagemaker/TrainingJobs",
  ]
  retention_in_days  = 7
  exclude            = ["/aws/retail-forecast/keep*"]
  restore_on_destroy = true
}
"""


def retention(aws):
    out = {}
    for page in aws.logs.get_paginator("describe_log_groups").paginate():
        for g in page["logGroups"]:
            out[g["logGroupName"]] = g.get("retentionInDays")
    return out


def seed(aws):
    for name, days in list(GROUPS.items()) + [(DECOY, 14), ("/aws/retail-forecast/keep-me", 1)]:
        aws.logs.create_log_group(logGroupName=name)
        if days:
            aws.logs.put_retention_policy(logGroupName=name, retentionInDays=days)


def test_lifecycle(cli, aws):
    seed(aws)
    cli.write(CONFIG)
    cli.init()
    assert "Success" in cli.run("validate", "-no-color").out
    plan = cli.plan()
    assert "costops_log_retention.logs will be created" in plan.out
    cli.apply()

    got = retention(aws)
    for name in GROUPS:
        assert got[name] == 7, name
    assert got[DECOY] == 14
    assert got["/aws/retail-forecast/keep-me"] == 1
    state = cli.resources()["costops_log_retention.logs"]
    assert state["matched_count"] == 3
    assert state["log_groups"] == {n: 7 for n in GROUPS}

    assert cli.plan_exitcode().rc == 0

    # Out of band: one group's retention changed, a new group appears.
    aws.logs.put_retention_policy(logGroupName="/aws/retail-forecast/api", retentionInDays=90)
    aws.logs.create_log_group(logGroupName="/aws/sagemaker/TrainingJobs/new-job")
    drift = cli.plan_exitcode()
    assert drift.rc == 2, drift
    assert "/aws/retail-forecast/api" in drift.out
    assert "/aws/sagemaker/TrainingJobs/new-job" in drift.out
    cli.apply()
    got = retention(aws)
    assert got["/aws/retail-forecast/api"] == 7
    assert got["/aws/sagemaker/TrainingJobs/new-job"] == 7
    assert cli.plan_exitcode().rc == 0

    cli.destroy()
    got = retention(aws)
    assert got["/aws/eks/retail-forecast-cluster/cluster"] == 30   # restored
    assert got["/aws/retail-forecast/api"] is None                  # had none before
    assert got["/aws/sagemaker/TrainingJobs/new-job"] is None
    assert got[DECOY] == 14


def test_import(cli, aws):
    seed(aws)
    for name in GROUPS:
        aws.logs.put_retention_policy(logGroupName=name, retentionInDays=7)
    cli.write("""
resource "costops_log_retention" "logs" {
  log_group_prefixes = ["/aws/eks/retail-forecast-cluster", "/aws/sagemaker/TrainingJobs"]
  retention_in_days  = 7
}
""")
    cli.init()
    cli.run("import", "-no-color", "costops_log_retention.logs",
            "7:/aws/eks/retail-forecast-cluster,/aws/sagemaker/TrainingJobs")
    st = cli.resources()["costops_log_retention.logs"]
    assert st["log_groups"] == {"/aws/eks/retail-forecast-cluster/cluster": 7,
                                "/aws/sagemaker/TrainingJobs": 7}
    assert cli.plan_exitcode().rc == 0
    bad = cli.run("import", "-no-color", "costops_log_retention.other", "8:/x", check=False)
    assert bad.rc != 0


def _no_put(emulator):
    calls = emulator.calls()
    return [c for c in calls if c["operation"] in ("PutRetentionPolicy", "DeleteRetentionPolicy")]


def test_bad_input(cli, aws, emulator):
    seed(aws)
    before = retention(aws)
    inited = []

    def attempt(hcl, provider_extra=""):
        cli.write(hcl, provider_extra)
        if not inited:
            cli.init()
            inited.append(True)
        emulator.clear_calls()
        res = cli.plan(check=False)
        assert res.rc != 0, res
        assert _no_put(emulator) == []
        return res.all

    out = attempt('resource "costops_log_retention" "x" {\n  log_group_prefixes = ["/aws/x"]\n  retention_in_days = 8\n}\n')
    assert "retention_in_days" in out and "CloudWatch Logs accepts only" in out and "nearest shorter one is 7" in out

    out = attempt('resource "costops_log_retention" "x" {\n  log_group_prefixes = []\n  retention_in_days = 7\n}\n')
    assert "No log group prefixes" in out and "log_group_prefixes" in out

    out = attempt('resource "costops_log_retention" "x" {\n  log_group_prefixes = [""]\n  retention_in_days = 7\n}\n')
    assert "Empty prefix" in out

    out = attempt('resource "costops_log_retention" "x" {\n  log_group_prefixes = ["/aws/x"]\n  retention_in_days = "a week"\n}\n')
    assert "retention_in_days" in out and ("number is required" in out or "Incorrect attribute value type" in out)

    out = attempt('resource "costops_log_retention" "x" {\n  log_group_prefixes = ["/aws/ok", "/aws/not ok"]\n  retention_in_days = 7\n}\n')
    assert "Invalid log group prefix" in out and "/aws/not ok" in out and "log_group_prefixes" in out

    assert retention(aws) == before


def test_unreachable_endpoint_and_wrong_credentials(cli, aws, emulator):
    seed(aws)
    before = retention(aws)
    hcl = 'resource "costops_log_retention" "x" {\n  log_group_prefixes = ["/aws/sagemaker"]\n  retention_in_days = 7\n}\n'
    cli.write(hcl)
    cli.init()
    main = (cli.workdir / "main.tf").read_text()
    (cli.workdir / "main.tf").write_text(main.replace(cli.env["COSTOPS_TEST_ENDPOINT"], "http://127.0.0.1:9"))
    res = cli.plan(check=False)
    assert res.rc != 0
    assert "AWS credentials could not be verified" in res.all and "could not be reached" in res.all

    # moto checks signatures only with auth on; turn it on for this test.
    (cli.workdir / "main.tf").write_text(main)
    def reset_auth(n):
        urllib.request.urlopen(urllib.request.Request(
            emulator.url + "/moto-api/reset-auth", data=n, method="POST",
            headers={"Content-Type": "text/plain"}))
    reset_auth(b"0")
    try:
        res = cli.plan(check=False)
    finally:
        reset_auth(b"inf")
    assert res.rc != 0
    assert "AWS credentials could not be verified" in res.all
    assert "InvalidClientTokenId" in res.all
    assert retention(aws) == before


def test_credentials_from_a_profile_and_endpoint_from_the_environment(cli, aws, emulator, tmp_path):
    """As a user runs it against real AWS, minus the real endpoint: no keys
    or endpoints in the configuration; a named profile in the shared files
    and AWS_ENDPOINT_URL, as the SDKs read them."""
    seed(aws)
    home = tmp_path / "awshome"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = wrong\naws_secret_access_key = wrong\n\n"
        "[mlops]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = from-the-profile\n")
    (home / ".aws" / "config").write_text("[profile mlops]\nregion = us-east-1\n")
    (cli.workdir / "main.tf").write_text(f"""
terraform {{
  required_providers {{
    costops = {{ source = "costops.dev/costops/costops" }}
  }}
}}

provider "costops" {{
  profile           = "mlops"
  s3_use_path_style = true
}}

resource "costops_log_retention" "x" {{
  log_group_prefixes = ["/aws/sagemaker/TrainingJobs"]
  retention_in_days  = 14
}}
""")
    env = {"HOME": str(home), "AWS_ENDPOINT_URL": emulator.url, "TF_LOG_PROVIDER": "debug",
           "TF_LOG_PATH": str(tmp_path / "provider.log")}
    cli.init()
    cli.run("apply", "-auto-approve", "-input=false", "-no-color", env=env)
    assert retention(aws)["/aws/sagemaker/TrainingJobs"] == 14
    log = (tmp_path / "provider.log").read_text()
    assert "shared credentials file" in log and "mlops" in log
    # Secrets never reach the log.
    assert "from-the-profile" not in log
    cli.run("destroy", "-auto-approve", "-input=false", "-no-color", env=env)
    assert retention(aws)["/aws/sagemaker/TrainingJobs"] is None


def test_destroy_after_the_groups_are_gone(cli, aws):
    """costops_teardown is destroyed first and deletes the project's log
    groups; restoring their retention afterwards finds nothing to do."""
    seed(aws)
    cli.write(CONFIG)
    cli.init()
    cli.apply()
    for name in GROUPS:
        aws.logs.delete_log_group(logGroupName=name)
    cli.destroy("-refresh=false")
    assert cli.resources() == {}
    assert set(retention(aws)) == {DECOY, "/aws/retail-forecast/keep-me"}
