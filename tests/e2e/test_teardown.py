"""costops_teardown end to end: the seed's stack plus decoys is built with
boto3; the plan lists exactly the project's items; destroy removes them
and leaves every decoy; an injected failure leaves a state from which a
second destroy finishes; without confirm nothing is deleted; and the
seed's §9 check (no EKS cluster, bucket, ECR repository or SageMaker
endpoint named retail*) holds after the teardown. Every effect is checked
with boto3, independently of the provider."""
import json

import pytest

PROJECT = {"Project": "RetailMLOps"}
ROLE = "arn:aws:iam::123456789012:role/retail-forecast-role"
CLUSTER = "retail-forecast-cluster"


def tag_list(d):
    return [{"Key": k, "Value": v} for k, v in d.items()]


def build_stack(aws):
    """The seed's stack (tagged Project=RetailMLOps) plus decoys."""
    eks = aws.eks
    eks.create_cluster(name=CLUSTER, roleArn=ROLE, tags=PROJECT,
                       resourcesVpcConfig={"subnetIds": ["subnet-1"]})
    eks.create_nodegroup(clusterName=CLUSTER, nodegroupName="retail-forecast-nodes",
                         nodeRole=ROLE, subnets=["subnet-1"], capacityType="SPOT",
                         instanceTypes=["t3.medium", "t3a.medium", "t2.medium"],
                         scalingConfig={"minSize": 2, "maxSize": 5, "desiredSize": 2},
                         labels={"app": "retail-api"}, tags=PROJECT)

    sm = aws.sagemaker
    sm.create_model(ModelName="retail-forecast-model", ExecutionRoleArn=ROLE,
                    PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/retail-forecast:prod"},
                    Tags=tag_list(PROJECT))
    sm.create_endpoint_config(EndpointConfigName="retail-forecast-endpoint-config",
                              ProductionVariants=[{"VariantName": "main", "ModelName": "retail-forecast-model",
                                                   "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}],
                              Tags=tag_list(PROJECT))
    sm.create_endpoint(EndpointName="retail-forecast-endpoint",
                       EndpointConfigName="retail-forecast-endpoint-config", Tags=tag_list(PROJECT))

    s3 = aws.s3
    for b, tags in [("retail-forecast-data-dev", PROJECT), ("retail-forecast-artifacts-dev", PROJECT),
                    ("keep-protected-bucket", {**PROJECT, "costops:protect": "true"}),
                    ("other-project-data", {"Project": "Other"}), ("scratch-untagged", None)]:
        s3.create_bucket(Bucket=b)
        if tags:
            s3.put_bucket_tagging(Bucket=b, Tagging={"TagSet": tag_list(tags)})
        s3.put_object(Bucket=b, Key="raw/sales.csv", Body=b"a,b\n1,2\n")
    # A versioned bucket: several versions and a delete marker.
    s3.put_bucket_versioning(Bucket="retail-forecast-data-dev",
                             VersioningConfiguration={"Status": "Enabled"})
    for i in range(3):
        s3.put_object(Bucket="retail-forecast-data-dev", Key="silver/part.parquet", Body=b"v%d" % i)
    s3.put_object(Bucket="retail-forecast-data-dev", Key="tmp/x & <y>.txt", Body=b"z")
    s3.delete_object(Bucket="retail-forecast-data-dev", Key="tmp/x & <y>.txt")
    for i in range(5):
        s3.put_object(Bucket="retail-forecast-artifacts-dev", Key=f"artifacts/model-{i}.tar.gz", Body=b"m")

    ecr = aws.ecr
    for repo, tags in [("retail-forecast", PROJECT), ("other-app", {"Project": "Other"})]:
        ecr.create_repository(repositoryName=repo, tags=tag_list(tags))
        for i, tag in enumerate(["prod-1", "stage-1", "dev-1"]):
            manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                                   "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                                              "size": 100 + i, "digest": "sha256:" + ("%064x" % (i + 1))},
                                   "layers": []})
            ecr.put_image(repositoryName=repo, imageManifest=manifest, imageTag=tag)

    logs = aws.logs
    for g, tags in [("/aws/eks/retail-forecast-cluster/cluster", PROJECT), ("/aws/retail-forecast/api", PROJECT),
                    ("/aws/retail-forecast/audit", {**PROJECT, "costops:protect": "true"}),
                    ("/aws/other/api", {"Project": "Other"}),
                    ("/aws/sagemaker/Endpoints/retail-forecast-endpoint", None)]:
        if tags:
            logs.create_log_group(logGroupName=g, tags=tags)
        else:
            logs.create_log_group(logGroupName=g)

    sch = aws.scheduler
    sch.create_schedule_group(Name="retail-forecast-offhours", Tags=tag_list(PROJECT))
    for name, cron in [("stop", "cron(0 19 * * ? *)"), ("start", "cron(0 7 * * ? *)")]:
        sch.create_schedule(Name=name, GroupName="retail-forecast-offhours", ScheduleExpression=cron,
                            FlexibleTimeWindow={"Mode": "OFF"},
                            Target={"Arn": "arn:aws:scheduler:::aws-sdk:eks:updateNodegroupConfig",
                                    "RoleArn": ROLE, "Input": "{}"})

    # What the Kubernetes load balancer controller leaves: tagged for the
    # cluster, not with the project's tags.
    ec2 = aws.ec2
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"]["SubnetId"]
               for i, az in enumerate("ab")]
    elb = aws.elbv2
    controller = [{"Key": "elbv2.k8s.aws/cluster", "Value": CLUSTER}]
    elb.create_load_balancer(Name="k8s-retail-api", Subnets=subnets, Tags=controller)
    elb.create_target_group(Name="k8s-retail-tg", Protocol="HTTP", Port=80, VpcId=vpc, Tags=controller)
    elb.create_load_balancer(Name="other-lb", Subnets=subnets,
                             Tags=[{"Key": "elbv2.k8s.aws/cluster", "Value": "other-cluster"}])


EXPECTED = {
    ("sagemaker_endpoint", "retail-forecast-endpoint"),
    ("sagemaker_endpoint_config", "retail-forecast-endpoint-config"),
    ("sagemaker_model", "retail-forecast-model"),
    ("scheduler_schedule", "retail-forecast-offhours/start"),
    ("scheduler_schedule", "retail-forecast-offhours/stop"),
    ("scheduler_schedule_group", "retail-forecast-offhours"),
    ("elbv2_load_balancer", "k8s-retail-api"),
    ("elbv2_target_group", "k8s-retail-tg"),
    ("eks_nodegroup", f"{CLUSTER}/retail-forecast-nodes"),
    ("eks_cluster", CLUSTER),
    ("ecr_images", "retail-forecast"),
    ("ecr_repository", "retail-forecast"),
    ("s3_objects", "retail-forecast-artifacts-dev"),
    ("s3_objects", "retail-forecast-data-dev"),
    ("s3_bucket", "retail-forecast-artifacts-dev"),
    ("s3_bucket", "retail-forecast-data-dev"),
    ("logs_log_group", "/aws/eks/retail-forecast-cluster/cluster"),
    ("logs_log_group", "/aws/retail-forecast/api"),
    ("logs_log_group", "/aws/sagemaker/Endpoints/retail-forecast-endpoint"),
}


def config(report="", topic="", confirm_default="destroy"):
    extra = ""
    if report:
        extra += f'\n  report_path = "{report}"'
    if topic:
        extra += f'\n  notify_sns_topic_arn = "{topic}"'
    return f"""
variable "confirm" {{
  type    = string
  default = "{confirm_default}"
}}

resource "costops_teardown" "this" {{
  tag_filter                  = {{ Project = "RetailMLOps" }}
  sagemaker_endpoint_prefixes = ["retail-forecast"]
  log_group_prefixes          = ["/aws/sagemaker/Endpoints/retail-forecast"]
  confirm                     = var.confirm{extra}
}}
"""


def inventory(cli):
    inv = cli.resources()["costops_teardown.this"]["inventory"]
    return [(i["type"], i["name"]) for i in inv]


def bucket_names(aws):
    return {b["Name"] for b in aws.s3.list_buckets()["Buckets"]}


def log_groups(aws):
    return {g["logGroupName"] for g in aws.logs.describe_log_groups()["logGroups"]}


def assert_decoys_intact(aws):
    assert {"keep-protected-bucket", "other-project-data", "scratch-untagged"} <= bucket_names(aws)
    for b in ("keep-protected-bucket", "other-project-data", "scratch-untagged"):
        assert aws.s3.list_objects_v2(Bucket=b)["KeyCount"] == 1
    assert {"/aws/retail-forecast/audit", "/aws/other/api"} <= log_groups(aws)
    assert len(aws.ecr.list_images(repositoryName="other-app")["imageIds"]) == 3
    assert [lb["LoadBalancerName"] for lb in aws.elbv2.describe_load_balancers()["LoadBalancers"]] == ["other-lb"]


def assert_seed_section9(aws):
    """The seed's §9: after teardown no EKS cluster, bucket, ECR repository
    or SageMaker endpoint named retail* remains."""
    assert not [c for c in aws.eks.list_clusters()["clusters"] if c.startswith("retail")]
    assert not [b for b in bucket_names(aws) if b.startswith("retail")]
    assert not [r for r in aws.ecr.describe_repositories()["repositories"]
                if r["repositoryName"].startswith("retail")]
    assert not [e for e in aws.sagemaker.list_endpoints()["Endpoints"]
                if e["EndpointName"].startswith("retail")]


def sns_queue(aws):
    topic = aws.sns.create_topic(Name="retail-forecast-teardown")["TopicArn"]
    q = aws.sqs.create_queue(QueueName="teardown-summary")["QueueUrl"]
    qarn = aws.sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn)
    return topic, q


def messages(aws, q):
    out = aws.sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in out]


def test_plan_lists_the_project_and_destroy_removes_only_it(cli, aws, tmp_path):
    build_stack(aws)
    topic, q = sns_queue(aws)
    report = tmp_path / "report.json"
    cli.write(config(report=str(report), topic=topic))
    cli.init()
    cli.apply()
    inv = inventory(cli)
    assert set(inv) == EXPECTED and len(inv) == len(EXPECTED)
    # Deletion order: endpoint before its config and model, node group
    # before cluster, images before repository, objects before bucket.
    pos = {item: i for i, item in enumerate(inv)}
    assert pos[("sagemaker_endpoint", "retail-forecast-endpoint")] < pos[("sagemaker_endpoint_config", "retail-forecast-endpoint-config")] < pos[("sagemaker_model", "retail-forecast-model")]
    assert pos[("eks_nodegroup", f"{CLUSTER}/retail-forecast-nodes")] < pos[("eks_cluster", CLUSTER)]
    assert pos[("ecr_images", "retail-forecast")] < pos[("ecr_repository", "retail-forecast")]
    assert pos[("s3_objects", "retail-forecast-data-dev")] < pos[("s3_bucket", "retail-forecast-data-dev")]
    assert cli.resources()["costops_teardown.this"]["inventory_count"] == len(EXPECTED)
    assert cli.plan_exitcode().rc == 0

    # The destroy plan, saved: it lists what goes; something created after
    # it is reported by the apply, not deleted.
    plan = cli.plan("-destroy", "-out=destroy.tfplan")
    assert f"Teardown will delete {len(EXPECTED)} item(s)" in plan.all
    assert "keep-protected-bucket" in plan.all  # shown as protected
    aws.logs.create_log_group(logGroupName="/aws/retail-forecast/late", tags=PROJECT)
    res = cli.apply("destroy.tfplan")
    assert "New resources found, not deleted" in res.all
    assert cli.resources() == {}

    assert_seed_section9(aws)
    assert_decoys_intact(aws)
    assert log_groups(aws) == {"/aws/retail-forecast/audit", "/aws/other/api", "/aws/retail-forecast/late"}
    assert aws.eks.list_clusters()["clusters"] == []
    assert aws.sagemaker.list_models()["Models"] == []
    assert aws.sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert [g["Name"] for g in aws.scheduler.list_schedule_groups()["ScheduleGroups"]] == ["default"]
    assert aws.elbv2.describe_target_groups()["TargetGroups"] == []

    rep = json.loads(report.read_text())
    assert rep["result"] == "succeeded"
    assert {(d["type"], d["name"]) for d in rep["deleted"]} == EXPECTED
    assert rep["failed"] == [] and rep["remaining"] == []
    assert ("logs_log_group", "/aws/retail-forecast/late") in {(d["type"], d["name"]) for d in rep["new_not_deleted"]}
    assert {("s3_bucket", "keep-protected-bucket"), ("logs_log_group", "/aws/retail-forecast/audit")} <= \
        {(d["type"], d["name"]) for d in rep["protected"]}

    msgs = messages(aws, q)
    assert len(msgs) == 1
    assert msgs[0]["Subject"] == "costops teardown Project=RetailMLOps: succeeded"
    assert f"{len(EXPECTED)} deleted, 0 failed" in msgs[0]["Message"]


def test_without_confirm_nothing_is_deleted(cli, aws):
    build_stack(aws)
    cli.write(config(confirm_default=""))
    cli.init()
    cli.apply()
    plan = cli.plan("-destroy", check=False)
    assert plan.rc != 0 and "Teardown not confirmed" in plan.all
    res = cli.destroy(check=False)
    assert res.rc != 0 and "Teardown not confirmed" in res.all
    assert "costops_teardown.this" in cli.resources()
    assert {"retail-forecast-data-dev", "retail-forecast-artifacts-dev"} <= bucket_names(aws)
    assert aws.eks.list_clusters()["clusters"] == [CLUSTER]
    assert len(aws.sagemaker.list_endpoints()["Endpoints"]) == 1
    assert len(aws.ecr.list_images(repositoryName="retail-forecast")["imageIds"]) == 3
    assert "/aws/retail-forecast/api" in log_groups(aws)

    # Arming it is an in-place update that deletes nothing; then destroy runs.
    cli.apply("-var", "confirm=destroy")
    assert aws.eks.list_clusters()["clusters"] == [CLUSTER]
    cli.destroy("-var", "confirm=destroy")
    assert_seed_section9(aws)
    assert_decoys_intact(aws)


def test_failure_midway_leaves_a_resumable_state(cli, aws, emulator, tmp_path):
    build_stack(aws)
    report = tmp_path / "report.json"
    cli.write(config(report=str(report)))
    cli.init()
    cli.apply()
    emulator.fault(service="sagemaker", operation="DeleteEndpointConfig", status=400,
                   code="ValidationException", count=1)
    res = cli.destroy(check=False)
    assert res.rc != 0
    assert "Teardown could not delete SageMaker endpoint config retail-forecast-endpoint-config" in res.all
    assert "ValidationException" in res.all
    # What failed and what depends on it stay in state; the rest is gone.
    left = inventory(cli)
    assert left == [("sagemaker_endpoint_config", "retail-forecast-endpoint-config"),
                    ("sagemaker_model", "retail-forecast-model")]
    assert aws.sagemaker.list_endpoints()["Endpoints"] == []
    assert len(aws.sagemaker.list_models()["Models"]) == 1
    assert aws.eks.list_clusters()["clusters"] == []
    rep = json.loads(report.read_text())
    assert rep["result"] == "failed"
    assert [(f["type"], f["name"]) for f in rep["failed"]] == [("sagemaker_endpoint_config", "retail-forecast-endpoint-config")]

    cli.destroy()
    assert cli.resources() == {}
    assert aws.sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert aws.sagemaker.list_models()["Models"] == []
    assert_seed_section9(aws)
    assert_decoys_intact(aws)


def test_bad_input_is_refused_at_plan(cli, aws):
    cli.write("""
resource "costops_teardown" "this" {
  buckets     = ["Not_A_Bucket"]
  protect_tag = "nokeyvalue"
  confirm     = "yes"
  notify_sns_topic_arn = "my-topic"
}
""")
    cli.init()
    res = cli.plan(check=False)
    assert res.rc != 0
    for text in ("Invalid name", "Invalid protect tag", "Not an SNS topic ARN", "confirm"):
        assert text in res.all, text
    cli.write("""
resource "costops_teardown" "this" {
  tag_filter = {}
}
""")
    res = cli.plan(check=False)
    assert res.rc != 0 and "Nothing selected" in res.all


def test_import_by_tag_filter_takes_the_inventory(cli, aws):
    aws.logs.create_log_group(logGroupName="/aws/retail-forecast/api", tags=PROJECT)
    aws.logs.create_log_group(logGroupName="/aws/other/api", tags={"Project": "Other"})
    cli.write("""
resource "costops_teardown" "this" {
  tag_filter = { Project = "RetailMLOps" }
}

resource "costops_teardown" "other" {
  tag_filter = { Project = "Other" }
}
""")
    cli.init()
    cli.run("import", "-input=false", "-no-color", "costops_teardown.this", "Project=RetailMLOps")
    got = cli.resources()["costops_teardown.this"]
    assert [(i["type"], i["name"]) for i in got["inventory"]] == [("logs_log_group", "/aws/retail-forecast/api")]
    assert got["id"] == "Project=RetailMLOps"
    assert cli.plan_exitcode("-target=costops_teardown.this").rc == 0
    bad = cli.run("import", "-input=false", "-no-color", "costops_teardown.other", "no-equals-sign", check=False)
    assert bad.rc != 0 and "Invalid import id" in bad.all
