"""costops_storage_lifecycle end to end: the seed's rules from
examples/retail-mlops/storage.tf applied against the emulator and read back
with boto3, drift, destroy, foreign configurations, import, and wrong
configurations stopped before anything reaches S3."""
import json
import os

import pytest
from botocore.exceptions import ClientError

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLE = os.path.join(TOP, "examples", "retail-mlops", "storage.tf")
BUCKET = "retail-forecast-data-dev"

# What the seed asks for (§3.1, §3.2), in S3's own terms.
SEED_RULES = {
    "raw-intelligent-tiering": ({"Prefix": "raw/"}, [{"Days": 30, "StorageClass": "INTELLIGENT_TIERING"}], None),
    "silver-intelligent-tiering": ({"Prefix": "silver/"}, [{"Days": 30, "StorageClass": "INTELLIGENT_TIERING"}], None),
    "artifacts-archive": ({"Prefix": "artifacts/"}, [{"Days": 90, "StorageClass": "GLACIER_IR"},
                                                    {"Days": 180, "StorageClass": "DEEP_ARCHIVE"}], None),
    "logs-archive": ({"Prefix": "logs/"}, [{"Days": 90, "StorageClass": "GLACIER_IR"},
                                          {"Days": 180, "StorageClass": "DEEP_ARCHIVE"}], None),
    "tmp-expire": ({"And": {"Prefix": "tmp/", "Tags": [{"Key": "temporary", "Value": "true"}]}}, None, {"Days": 7}),
}


def example_config():
    with open(EXAMPLE) as f:
        return 'variable "env" {\n  default = "dev"\n}\n' + f.read()


def make_bucket(aws, name=BUCKET):
    aws.s3.create_bucket(Bucket=name)
    aws.s3.put_object(Bucket=name, Key="raw/sales.csv", Body=b"x" * 2048)
    aws.s3.put_object(Bucket=name, Key="data/features.parquet", Body=b"y" * 4096)


def s3_puts(emulator):
    return [c for c in emulator.calls() if c["service"] == "s3" and c["method"] in ("PUT", "DELETE")]


def lifecycle_rules(aws, bucket=BUCKET):
    return aws.s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]


def tiering_configs(aws, bucket=BUCKET):
    return aws.s3.list_bucket_intelligent_tiering_configurations(Bucket=bucket).get(
        "IntelligentTieringConfigurationList", [])


def test_seed_apply_drift_destroy(cli, aws):
    make_bucket(aws)
    cli.write(example_config())
    cli.init()
    res = cli.apply()
    # The seed sets no size filter: the plan warns about small objects.
    assert "Small objects cost more than they save" in res.all

    rules = lifecycle_rules(aws)
    got = {r["ID"]: r for r in rules}
    assert sorted(got) == sorted(SEED_RULES)
    for rid, (flt, transitions, expiration) in SEED_RULES.items():
        r = got[rid]
        assert r["Status"] == "Enabled"
        assert r["Filter"] == flt, rid
        assert r.get("Transitions") == transitions, rid
        assert r.get("Expiration") == expiration, rid
        assert "NoncurrentVersionExpiration" not in r and "AbortIncompleteMultipartUpload" not in r
    tiers = tiering_configs(aws)
    assert tiers == [{
        "Id": "RetailDataTiering", "Filter": {"Prefix": "data/"}, "Status": "Enabled",
        "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"},
                     {"Days": 180, "AccessTier": "DEEP_ARCHIVE_ACCESS"}]}]
    assert cli.output("data_bucket_lifecycle_rules") == [
        "raw-intelligent-tiering", "silver-intelligent-tiering", "artifacts-archive",
        "logs-archive", "tmp-expire"]
    assert cli.plan_exitcode().rc == 0

    # Drift: raw/ now tiers after 60 days, edited with boto3.
    edited = [dict(r) for r in rules]
    for r in edited:
        if r["ID"] == "raw-intelligent-tiering":
            r["Transitions"] = [{"Days": 60, "StorageClass": "INTELLIGENT_TIERING"}]
    aws.s3.put_bucket_lifecycle_configuration(Bucket=BUCKET, LifecycleConfiguration={"Rules": edited})
    aws.s3.delete_bucket_intelligent_tiering_configuration(Bucket=BUCKET, Id="RetailDataTiering")
    plan = cli.plan_exitcode()
    assert plan.rc == 2, plan
    assert "intelligent_tiering_after_days" in plan.out and "60 -> 30" in plan.out, plan.out
    assert "RetailDataTiering" in plan.out, plan.out
    cli.apply()
    raw = [r for r in lifecycle_rules(aws) if r["ID"] == "raw-intelligent-tiering"][0]
    assert raw["Transitions"] == [{"Days": 30, "StorageClass": "INTELLIGENT_TIERING"}]
    assert [t["Id"] for t in tiering_configs(aws)] == ["RetailDataTiering"]

    cli.destroy()
    with pytest.raises(ClientError) as e:
        aws.s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)
    assert e.value.response["Error"]["Code"] == "NoSuchLifecycleConfiguration"
    assert tiering_configs(aws) == []
    keys = sorted(o["Key"] for o in aws.s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == ["data/features.parquet", "raw/sales.csv"]


# Each wrong configuration: (HCL rule/tiering blocks, expected summary, the
# configuration line the diagnostic must point at).
WRONG = [
    ("rule {\n prefix = \"a/\"\n glacier_ir_after_days = 200\n standard_ia_after_days = 300\n}",
     "Transitions out of order", "glacier_ir_after_days = 200"),
    ("rule {\n prefix = \"b/\"\n glacier_after_days = 90\n deep_archive_after_days = 120\n}",
     "Transition before the minimum storage duration", "deep_archive_after_days = 120"),
    ("rule {\n prefix = \"c/\"\n glacier_ir_after_days = 90\n expire_after_days = 60\n}",
     "Expiration before the last transition", "expire_after_days = 60"),
    ("rule {\n prefix = \"d/\"\n expire_after_days = -5\n}",
     "Value out of range", "expire_after_days = -5"),
    ("rule {\n prefix = \"e/\"\n standard_ia_after_days = 10\n}",
     "Value out of range", "standard_ia_after_days = 10"),
    ("rule {\n id = \"same\"\n prefix = \"f/\"\n expire_after_days = 3\n}\n"
     "rule {\n id = \"same\"\n prefix = \"g/\"\n expire_after_days = 4\n}",
     "Duplicate rule id", "id = \"same\""),
    ("intelligent_tiering {\n name = \"t\"\n archive_access_after_days = 30\n}",
     "Value out of range", "archive_access_after_days = 30"),
    ("", "No rule and no Intelligent-Tiering configuration", None),
    ("rule {\n prefix = \"h/\"\n}", "Rule without an action", "rule[0]: "),
    ("rule {\n prefix = \"i/\"\n object_size_greater_than = 5000\n object_size_less_than = 100\n expire_after_days = 3\n}",
     "Empty object size range", "object_size_greater_than = 5000"),
    ("rule {\n prefix = \"j/\"\n standard_ia_after_days = 30\n glacier_after_days = 45\n}",
     "Too soon after the Infrequent Access transition", "glacier_after_days = 45"),
    ("rule {\n prefix = \"k/\"\n tags = { a = \"b\" }\n abort_incomplete_multipart_upload_days = 7\n}",
     "Multipart clean-up cannot use tags", "abort_incomplete_multipart_upload_days = 7"),
    ("rule {\n id = \"" + "x" * 256 + "\"\n expire_after_days = 3\n}",
     "Invalid rule id", "id = \"xxxx"),
    ("intelligent_tiering {\n name = \"u\"\n archive_access_after_days = 200\n deep_archive_access_after_days = 190\n}",
     "Deep Archive before Archive", "deep_archive_access_after_days = 190"),
]


def test_wrong_configurations_stop_before_aws(cli, aws, emulator):
    make_bucket(aws)
    body = ""
    for i, (blocks, _, _) in enumerate(WRONG):
        body += f'resource "costops_storage_lifecycle" "w{i}" {{\n  bucket = "{BUCKET}"\n{blocks}\n}}\n'
    cli.write(body)
    cli.init()
    emulator.clear_calls()
    res = cli.run("validate", "-json", "-no-color", check=False)
    assert res.rc != 0
    diags = json.loads(res.out)["diagnostics"]
    for i, (_, summary, line) in enumerate(WRONG):
        ctx = f'resource "costops_storage_lifecycle" "w{i}"'
        mine = [d for d in diags if d["severity"] == "error"
                and d.get("snippet", {}).get("context") == ctx]
        assert any(d["summary"] == summary for d in mine), (i, summary, mine)
        d = [d for d in mine if d["summary"] == summary][0]
        if line and line.endswith(": "):
            assert d["detail"].startswith(line), (i, d)
        elif line:
            assert d["snippet"]["code"].strip().startswith(line), (i, d["snippet"])
    plan = cli.plan(check=False)
    assert plan.rc != 0
    assert s3_puts(emulator) == [], s3_puts(emulator)
    with pytest.raises(ClientError):
        aws.s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)


FOREIGN = [{"ID": "org-policy", "Status": "Enabled", "Filter": {"Prefix": ""},
            "Expiration": {"Days": 365}}]


def test_foreign_configuration_needs_adopt(cli, aws, emulator):
    make_bucket(aws)
    aws.s3.put_bucket_lifecycle_configuration(Bucket=BUCKET, LifecycleConfiguration={"Rules": FOREIGN})
    cfg = f'''
resource "costops_storage_lifecycle" "d" {{
  bucket = "{BUCKET}"
  ADOPT
  rule {{
    id                = "tmp"
    prefix            = "tmp/"
    expire_after_days = 7
  }}
}}
'''
    cli.write(cfg.replace("ADOPT", ""))
    cli.init()
    emulator.clear_calls()
    plan = cli.plan(check=False)
    assert plan.rc != 0
    assert "already has a configuration costops did not write" in plan.all
    assert "org-policy" in plan.all
    assert s3_puts(emulator) == []
    assert [r["ID"] for r in lifecycle_rules(aws)] == ["org-policy"]

    cli.write(cfg.replace("ADOPT", "adopt_existing = true"))
    cli.apply()
    assert [r["ID"] for r in lifecycle_rules(aws)] == ["tmp"]
    cli.destroy()
    with pytest.raises(ClientError):
        aws.s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)


def test_import_by_bucket_name(cli, aws):
    make_bucket(aws)
    aws.s3.put_bucket_lifecycle_configuration(Bucket=BUCKET, LifecycleConfiguration={"Rules": [
        {"ID": "big-raw", "Status": "Enabled",
         "Filter": {"And": {"Prefix": "raw/", "ObjectSizeGreaterThan": 131072}},
         "Transitions": [{"Days": 30, "StorageClass": "INTELLIGENT_TIERING"}],
         "NoncurrentVersionExpiration": {"NoncurrentDays": 30, "NewerNoncurrentVersions": 3},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}}]})
    aws.s3.put_bucket_intelligent_tiering_configuration(
        Bucket=BUCKET, Id="RetailDataTiering", IntelligentTieringConfiguration={
            "Id": "RetailDataTiering", "Status": "Enabled", "Filter": {"Prefix": "data/"},
            "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"}]})
    cli.write(f'''
resource "costops_storage_lifecycle" "d" {{
  bucket = "{BUCKET}"
  rule {{
    id                                     = "big-raw"
    prefix                                 = "raw/"
    object_size_greater_than               = 131072
    intelligent_tiering_after_days         = 30
    noncurrent_expire_after_days           = 30
    noncurrent_newer_versions              = 3
    abort_incomplete_multipart_upload_days = 2
  }}
  intelligent_tiering {{
    name                      = "RetailDataTiering"
    prefix                    = "data/"
    archive_access_after_days = 90
  }}
}}
''')
    cli.init()
    cli.run("import", "-no-color", "costops_storage_lifecycle.d", BUCKET)
    plan = cli.plan_exitcode()
    assert plan.rc == 0, plan


def test_destroy_and_plan_after_the_bucket_is_gone(cli, aws):
    """costops_teardown is destroyed first and deletes the bucket: the
    destroy that follows (refresh done before) is done at once, and a plan
    reads the resource as gone."""
    make_bucket(aws)
    cli.write(example_config())
    cli.init()
    cli.apply()
    for o in aws.s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        aws.s3.delete_object(Bucket=BUCKET, Key=o["Key"])
    aws.s3.delete_bucket(Bucket=BUCKET)
    plan = cli.plan()
    assert "# costops_storage_lifecycle.data will be created" in plan.out, plan
    cli.destroy("-refresh=false")
    assert cli.resources() == {}
