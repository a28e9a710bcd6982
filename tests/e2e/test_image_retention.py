"""costops_image_retention end to end, per CLI, against the emulator.

The seed's policy (examples/retail-mlops/images.tf) on a repository with 6
untagged and 5 prod images: the plan previews exactly the images ECR's
documented rules would expire (listed by hand below), apply puts the policy
boto3 reads back rule by rule, an out-of-band edit shows in the plan,
destroy leaves the repository as it was. Then an existing policy (refused,
adopted and restored, imported), and wrong configurations that each get a
diagnostic with nothing sent to ECR."""
import json
import os

import pytest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLE = os.path.join(TOP, "examples", "retail-mlops", "images.tf")
REPO = "retail-forecast"
ADDR = "costops_image_retention.retail_forecast"

# The seed's policy as costops renders it: untagged first, one rule per
# prefix (descending bytewise: stage, prod, dev), the `any` rule last.
EXPECTED_RULES = [
    ("untagged", None, 3),
    ("tagged", ["stage"], 3),
    ("tagged", ["prod"], 3),
    ("tagged", ["dev"], 3),
    ("any", None, 10),
]


def manifest(i):
    # Distinct layers and config: a distinct image (and digest) per i.
    return json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                   "size": 1000 + i, "digest": f"sha256:{i:064x}"},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 10 + i, "digest": f"sha256:{i + 5000:064x}"}],
    })


def push(aws, i, tag=None):
    kw = {"imageTag": tag} if tag else {}
    return aws.ecr.put_image(repositoryName=REPO, imageManifest=manifest(i), **kw)["image"]["imageId"]["imageDigest"]


def make_repo(aws):
    aws.ecr.create_repository(repositoryName=REPO, imageScanningConfiguration={"scanOnPush": True})


def repo_snapshot(aws):
    """Everything destroy must leave alone: the repository's settings and images."""
    r = aws.ecr.describe_repositories(repositoryNames=[REPO])["repositories"][0]
    imgs = aws.ecr.describe_images(repositoryName=REPO)["imageDetails"]
    return (r["imageScanningConfiguration"], r["imageTagMutability"],
            sorted((i["imageDigest"], tuple(sorted(i.get("imageTags", [])))) for i in imgs))


def policy_rules(aws):
    text = aws.ecr.get_lifecycle_policy(repositoryName=REPO)["lifecyclePolicyText"]
    return json.loads(text)["rules"]


def ecr_ops(emulator):
    return [c["operation"] for c in emulator.calls() if c["service"] == "ecr"]


def test_seed_policy_preview_drift_destroy(cli, aws, emulator):
    make_repo(aws)
    release = push(aws, 99, "v0.9")
    untagged = [push(aws, i) for i in range(6)]
    prod = [push(aws, 10 + i, f"prod-{i + 1}") for i in range(5)]
    before = repo_snapshot(aws)
    # By the user guide's rules: keep the 3 newest untagged (u4-u6) and the
    # 3 newest prod (p3-p5); the `any` rule counts all 12, keeps the newest
    # 10 (p5-p1, u6-u2) and of the other two may expire only v0.9 (u1
    # belongs to the untagged rule).
    expected = [release, untagged[0], untagged[1], untagged[2], prod[0], prod[1]]

    with open(EXAMPLE) as f:
        cli.write(f.read())
    cli.init()
    plan = cli.plan("-out=tfplan")
    assert "keep_total is not above what the other rules keep" in plan.all
    planned = json.loads(cli.run("show", "-json", "tfplan").out)
    after = [rc for rc in planned["resource_changes"] if rc["address"] == ADDR][0]["change"]["after"]
    assert [w["digest"] for w in after["would_expire"]] == expected
    assert after["would_expire_count"] == 6
    assert [w["tags"] for w in after["would_expire"]] == [["v0.9"], [], [], [], ["prod-1"], ["prod-2"]]
    assert all(w["pushed_at"].endswith("Z") and "T" in w["pushed_at"] for w in after["would_expire"])
    assert "PutLifecyclePolicy" not in ecr_ops(emulator)
    cli.run("apply", "-input=false", "-no-color", "tfplan")

    rules = policy_rules(aws)
    got = [(r["selection"]["tagStatus"], r["selection"].get("tagPrefixList"), r["selection"]["countNumber"])
           for r in sorted(rules, key=lambda r: r["rulePriority"])]
    assert got == EXPECTED_RULES
    assert [r["rulePriority"] for r in rules] == [1, 2, 3, 4, 5]
    assert all(r["selection"]["countType"] == "imageCountMoreThan" and r["action"] == {"type": "expire"}
               for r in rules)
    state = cli.resources()[ADDR]
    assert [w["digest"] for w in state["would_expire"]] == expected
    assert json.loads(state["policy_json"])["rules"] == rules
    assert cli.plan_exitcode().rc == 0

    # Out of band: someone keeps 5 untagged images instead of 3.
    edited = json.loads(aws.ecr.get_lifecycle_policy(repositoryName=REPO)["lifecyclePolicyText"])
    edited["rules"][0]["selection"]["countNumber"] = 5
    aws.ecr.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=json.dumps(edited))
    drift = cli.plan_exitcode()
    assert drift.rc == 2, drift
    assert "keep_untagged" in drift.out and "5 -> 3" in drift.out
    cli.apply()
    assert policy_rules(aws)[0]["selection"]["countNumber"] == 3

    # A new untagged image shows in the preview at the next refresh: now
    # u1-u4 go, and still p1, p2 and v0.9.
    push(aws, 30)
    cli.run("apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color")
    assert [w["digest"] for w in cli.resources()[ADDR]["would_expire"]] == \
        [release] + untagged[:4] + prod[:2]

    cli.destroy()
    with pytest.raises(aws.ecr.exceptions.LifecyclePolicyNotFoundException):
        aws.ecr.get_lifecycle_policy(repositoryName=REPO)
    after_destroy = repo_snapshot(aws)
    assert after_destroy[:2] == before[:2]
    assert set(before[2]) <= set(after_destroy[2])  # no image was touched


OWN_POLICY = json.dumps({"rules": [{
    "rulePriority": 1, "description": "team policy",
    "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                  "countUnit": "days", "countNumber": 30},
    "action": {"type": "expire"}}]})

SMALL = """
resource "costops_image_retention" "retail_forecast" {
  repository          = "retail-forecast"
  keep_untagged       = 2
  keep_per_tag_prefix = { prod = 4 }
  %s
}
"""


def test_existing_policy_refused_adopted_restored(cli, aws, emulator):
    make_repo(aws)
    aws.ecr.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=OWN_POLICY)
    cli.write(SMALL % "")
    cli.init()
    emulator.clear_calls()
    refused = cli.plan(check=False)
    assert refused.rc != 0
    assert "Repository already has a lifecycle policy" in refused.all
    assert "adopt_existing" in refused.all
    assert "PutLifecyclePolicy" not in ecr_ops(emulator)
    assert aws.ecr.get_lifecycle_policy(repositoryName=REPO)["lifecyclePolicyText"] == OWN_POLICY

    cli.write(SMALL % "adopt_existing = true")
    cli.apply()
    assert [r["selection"]["tagStatus"] for r in policy_rules(aws)] == ["untagged", "tagged"]
    cli.destroy()
    assert aws.ecr.get_lifecycle_policy(repositoryName=REPO)["lifecyclePolicyText"] == OWN_POLICY


def test_import(cli, aws):
    make_repo(aws)
    push(aws, 1)
    rendered = {"rules": [
        {"rulePriority": 1, "description": "keep 2 untagged",
         "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 2},
         "action": {"type": "expire"}},
        {"rulePriority": 2, "description": "keep 4 prod",
         "selection": {"tagStatus": "tagged", "tagPrefixList": ["prod"],
                       "countType": "imageCountMoreThan", "countNumber": 4},
         "action": {"type": "expire"}}]}
    aws.ecr.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=json.dumps(rendered))
    cli.write(SMALL % "")
    cli.init()
    cli.run("import", "-input=false", "-no-color", "costops_image_retention.retail_forecast", REPO)
    state = cli.resources()["costops_image_retention.retail_forecast"]
    assert state["keep_untagged"] == 2 and state["keep_per_tag_prefix"] == {"prod": 4}
    assert state["would_expire_count"] == 0
    # Same rules, other descriptions: the plan puts costops' text back,
    # changing no setting.
    plan = cli.plan_exitcode()
    assert plan.rc == 2, plan
    changed = [l.strip() for l in plan.out.splitlines() if l.strip().startswith("~ ")]
    assert any(l.startswith("~ policy_json") for l in changed), plan.out
    assert not any(l.startswith("~ keep_") for l in changed), plan.out

    # Images pushed between a saved plan and its apply: the apply records
    # the plan's preview (made on the refresh's images) instead of failing
    # Terraform's final-plan check; the next refresh sees the new images.
    cli.plan("-out=tfplan")
    for i in range(3):
        push(aws, 40 + i)
    cli.run("apply", "-input=false", "-no-color", "tfplan")
    assert cli.resources()["costops_image_retention.retail_forecast"]["would_expire_count"] == 0
    cli.run("apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color")
    assert cli.resources()["costops_image_retention.retail_forecast"]["would_expire_count"] == 2


BAD = """
resource "costops_image_retention" "zero_count" {
  repository    = "retail-forecast"
  keep_untagged = 0
}
resource "costops_image_retention" "negative_total" {
  repository = "retail-forecast"
  keep_total = -1
}
resource "costops_image_retention" "fraction" {
  repository    = "retail-forecast"
  keep_untagged = 2.5
}
resource "costops_image_retention" "empty_prefix" {
  repository          = "retail-forecast"
  keep_per_tag_prefix = { "" = 3 }
}
resource "costops_image_retention" "bad_prefix" {
  repository          = "retail-forecast"
  keep_per_tag_prefix = { "-prod" = 3 }
}
resource "costops_image_retention" "zero_prefix" {
  repository          = "retail-forecast"
  keep_per_tag_prefix = { prod = 0 }
}
resource "costops_image_retention" "two_untagged" {
  repository                 = "retail-forecast"
  keep_untagged              = 3
  expire_untagged_after_days = 14
}
resource "costops_image_retention" "nothing" {
  repository = "retail-forecast"
}
resource "costops_image_retention" "bad_repo" {
  repository    = "Retail_Forecast"
  keep_untagged = 3
}
resource "costops_image_retention" "overlap" {
  repository          = "retail-forecast"
  keep_per_tag_prefix = { prod = 3, prod-eu = 2 }
}
"""

# resource name -> (severity, summary, text the snippet must show: the
# attribute the diagnostic points at; None for a whole-resource one).
EXPECTED_DIAGS = {
    "zero_count": ("error", "Invalid count", "keep_untagged"),
    "negative_total": ("error", "Invalid count", "keep_total"),
    "fraction": ("error", "Invalid count", "keep_untagged"),
    "empty_prefix": ("error", "Empty tag prefix", "keep_per_tag_prefix"),
    "bad_prefix": ("error", "Invalid tag prefix", "keep_per_tag_prefix"),
    "zero_prefix": ("error", "Invalid count", "keep_per_tag_prefix"),
    "two_untagged": ("error", "Conflicting untagged rules", "expire_untagged_after_days"),
    "nothing": ("error", "No retention rules", None),
    "bad_repo": ("error", "Invalid repository name", "repository"),
    "overlap": ("warning", "Overlapping tag prefixes", "keep_per_tag_prefix"),
}


def test_wrong_configurations(cli, aws, emulator):
    make_repo(aws)
    cli.write(BAD)
    cli.init()
    emulator.clear_calls()
    res = cli.run("validate", "-json", "-no-color", check=False)
    assert res.rc != 0
    diags = json.loads(res.out)["diagnostics"]
    for name, (severity, summary, attr) in EXPECTED_DIAGS.items():
        hits = [d for d in diags
                if d["summary"] == summary and d["severity"] == severity
                and f'"{name}"' in d.get("snippet", {}).get("context", "")]
        assert hits, (name, summary, diags)
        if attr:
            assert any(attr in d["snippet"]["code"] for d in hits), (name, hits)
        assert all(d["detail"] for d in hits)
    errors = [d for d in diags if d["severity"] == "error"]
    assert len(errors) == sum(1 for v in EXPECTED_DIAGS.values() if v[0] == "error"), errors
    plan = cli.plan(check=False)
    assert plan.rc != 0
    ops = ecr_ops(emulator)
    assert "PutLifecyclePolicy" not in ops and "DeleteLifecyclePolicy" not in ops, ops


def test_destroy_after_the_repository_is_gone(cli, aws):
    """costops_teardown is destroyed first and deletes the repository; the
    destroy that follows (its refresh ran before) finds it gone and is done,
    also when it would have put an adopted policy back."""
    make_repo(aws)
    aws.ecr.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=OWN_POLICY)
    cli.write(SMALL % "adopt_existing = true")
    cli.init()
    cli.apply()
    aws.ecr.delete_repository(repositoryName=REPO, force=True)
    cli.destroy("-refresh=false")
    assert cli.resources() == {}
    assert aws.ecr.describe_repositories()["repositories"] == []
