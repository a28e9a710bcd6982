"""End-to-end: costops_spot_node_group, costops_spot_training_job and
data "costops_spot_interruption_manifests" against the emulator, checked with
boto3 (and PyYAML for the manifests)."""
import json
import os
import re

import pytest
import yaml

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLUSTER = "retail-forecast-cluster"
NODES = "retail-forecast-nodes"
ROLE = "arn:aws:iam::123456789012:role/retail-forecast-node-role"
SM_ROLE = "arn:aws:iam::123456789012:role/retail-forecast-sagemaker-role"
DEFAULT_TAGS = 'default_tags = { Project = "RetailMLOps" }'


def fast(cli):
    """Waiters poll every 20 ms instead of every 15-30 s."""
    cli.env["COSTOPS_POLL_INTERVAL_MS"] = "20"


def make_cluster(aws):
    ec2 = aws.ec2
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24",
                                 AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
               for i, z in enumerate("ab")]
    aws.eks.create_cluster(name=CLUSTER, roleArn="arn:aws:iam::123456789012:role/eks",
                           resourcesVpcConfig={"subnetIds": subnets})
    return subnets


def ng_hcl(subnets, types=("t3.medium", "t3a.medium", "t2.medium"), extra="",
           sizes=(2, 5, 2), labels='{ app = "retail-api" }', tags=None):
    tags = tags if tags is not None else '{ Team = "forecast" }'
    return f"""
resource "costops_spot_node_group" "ng" {{
  cluster_name   = "{CLUSTER}"
  name           = "{NODES}"
  node_role_arn  = "{ROLE}"
  subnet_ids     = {json.dumps(list(subnets))}
  instance_types = {json.dumps(list(types))}
  min_size       = {sizes[0]}
  max_size       = {sizes[1]}
  desired_size   = {sizes[2]}
  labels         = {labels}
  tags           = {tags}
{extra}
}}
"""


def flat(res):
    """CLI output with line wrapping undone."""
    return " ".join(res.all.split())


def points_at(err, attr, value):
    """The diagnostic names the attribute: the CLI quotes its config line."""
    return re.search(rf"\d+:\s+{attr}\s+= {re.escape(str(value))}\n", err) is not None


def eks_calls(emulator, method=None, suffix=None):
    out = []
    for c in emulator.calls():
        if c["service"] != "eks":
            continue
        if method and c["method"] != method:
            continue
        if suffix and not re.search(suffix, c["path"]):
            continue
        out.append(c)
    return out


def describe_ng(aws):
    return aws.eks.describe_nodegroup(clusterName=CLUSTER, nodegroupName=NODES)["nodegroup"]


# ---- node group -------------------------------------------------------------

def test_node_group_lifecycle(cli, aws, emulator):
    """Create waits through CREATING, the seed's settings reach EKS, an
    autoscaler's desired size is not drift, in-place updates, tags, and
    destroy waits through DELETING."""
    fast(cli)
    subnets = make_cluster(aws)
    test_tags = ('{ Team = "forecast", "costops-test:create-polls" = "4", '
                 '"costops-test:delete-polls" = "2" }')
    cli.write(ng_hcl(subnets, tags=test_tags), DEFAULT_TAGS)
    cli.init()
    emulator.clear_calls()
    cli.apply()
    log = (cli.workdir.parent / "tf.log").read_text()
    assert "still waiting for node group retail-forecast-nodes" in log and "CREATING" in log
    assert "waited for node group retail-forecast-nodes" in log
    ng = describe_ng(aws)
    assert ng["capacityType"] == "SPOT"
    assert ng["instanceTypes"] == ["t3.medium", "t3a.medium", "t2.medium"]
    assert ng["scalingConfig"] == {"minSize": 2, "maxSize": 5, "desiredSize": 2}
    assert ng["labels"] == {"app": "retail-api"}
    assert ng["nodeRole"] == ROLE
    assert sorted(ng["subnets"]) == sorted(subnets)
    assert ng["tags"]["Project"] == "RetailMLOps" and ng["tags"]["Team"] == "forecast"
    # Four CREATING answers, then ACTIVE: the waiter polled at least 5 times.
    describes = eks_calls(emulator, "GET", rf"/node-groups/{NODES}$")
    assert len(describes) >= 5, describes
    state = cli.resources()["costops_spot_node_group.ng"]
    assert state["status"] == "ACTIVE"
    assert state["id"] == f"{CLUSTER}:{NODES}"
    assert state["tags_all"]["Project"] == "RetailMLOps"
    assert state["arn"] == ng["nodegroupArn"]
    assert cli.plan_exitcode().rc == 0

    # Cluster Autoscaler (or the off-hours schedule) moves desired size:
    # not drift by default.
    aws.eks.update_nodegroup_config(clusterName=CLUSTER, nodegroupName=NODES,
                                    scalingConfig={"minSize": 2, "maxSize": 5, "desiredSize": 4})
    assert cli.plan_exitcode().rc == 0

    # In place: bounds, labels, a taint and tags. The autoscaler's desired
    # size (4) is kept, not reset to the configured 2.
    emulator.clear_calls()
    taint = 'taint {\n    key = "spot"\n    value = "true"\n    effect = "PREFER_NO_SCHEDULE"\n  }'
    test_tags2 = test_tags.replace('Team = "forecast"', 'Team = "ml", Owner = "ops"')
    cli.write(ng_hcl(subnets, sizes=(2, 6, 2), labels='{ app = "retail-api", tier = "spot" }',
                     tags=test_tags2, extra=taint), DEFAULT_TAGS)
    plan = cli.plan()
    assert "must be replaced" not in plan.out and "update in-place" in plan.out
    cli.apply()
    ng = describe_ng(aws)
    assert ng["nodegroupArn"] == state["arn"], "updated in place, not replaced"
    assert ng["scalingConfig"] == {"minSize": 2, "maxSize": 6, "desiredSize": 4}
    assert ng["labels"] == {"app": "retail-api", "tier": "spot"}
    assert ng["taints"] == [{"key": "spot", "value": "true", "effect": "PREFER_NO_SCHEDULE"}]
    assert ng["tags"]["Team"] == "ml" and ng["tags"]["Owner"] == "ops"
    assert ng["tags"]["Project"] == "RetailMLOps"
    assert eks_calls(emulator, "POST", r"/update-config$")
    assert cli.plan_exitcode().rc == 0

    # Removing the taint and a label goes through update-config too.
    cli.write(ng_hcl(subnets, sizes=(2, 6, 2), tags=test_tags2), DEFAULT_TAGS)
    cli.apply()
    ng = describe_ng(aws)
    assert ng["taints"] == [] and ng["labels"] == {"app": "retail-api"}

    emulator.clear_calls()
    cli.destroy()
    with pytest.raises(aws.eks.exceptions.ResourceNotFoundException):
        describe_ng(aws)
    # DELETING twice, then gone: the delete waiter polled at least 3 times.
    assert len(eks_calls(emulator, "GET", rf"/node-groups/{NODES}$")) >= 3


def test_node_group_track_desired_size(cli, aws, emulator):
    subnets = make_cluster(aws)
    cli.write(ng_hcl(subnets, extra="track_desired_size = true"))
    cli.init()
    cli.apply()
    aws.eks.update_nodegroup_config(clusterName=CLUSTER, nodegroupName=NODES,
                                    scalingConfig={"minSize": 2, "maxSize": 5, "desiredSize": 4})
    plan = cli.plan_exitcode()
    assert plan.rc == 2 and "desired_size" in plan.out
    cli.apply()
    assert describe_ng(aws)["scalingConfig"]["desiredSize"] == 2


def recreate_ng(aws, **changes):
    ng = describe_ng(aws)
    aws.eks.delete_nodegroup(clusterName=CLUSTER, nodegroupName=NODES)
    args = dict(clusterName=CLUSTER, nodegroupName=NODES, nodeRole=ng["nodeRole"],
                subnets=ng["subnets"], instanceTypes=ng["instanceTypes"],
                capacityType=ng["capacityType"], scalingConfig=ng["scalingConfig"],
                labels=ng["labels"], tags=ng["tags"])
    args.update(changes)
    aws.eks.create_nodegroup(**args)


def test_node_group_drift_and_import(cli, aws, emulator):
    """A switch to ON_DEMAND or other instance types (made outside
    Terraform: EKS cannot change either in place, so the group is
    recreated) shows in the plan as a replacement; import by
    cluster:nodegroup gives an empty plan."""
    fast(cli)
    subnets = make_cluster(aws)
    cli.write(ng_hcl(subnets), DEFAULT_TAGS)
    cli.init()
    cli.apply()

    recreate_ng(aws, capacityType="ON_DEMAND")
    plan = cli.plan_exitcode()
    assert plan.rc == 2
    assert re.search(r'capacity_type\s+= "ON_DEMAND" -> "SPOT" # forces replacement', plan.out), plan.out
    cli.apply()
    assert describe_ng(aws)["capacityType"] == "SPOT"

    recreate_ng(aws, instanceTypes=["m5.large"])
    plan = cli.plan_exitcode()
    assert plan.rc == 2 and "forces replacement" in plan.out and '"m5.large"' in plan.out

    cli.apply()
    assert describe_ng(aws)["instanceTypes"] == ["t3.medium", "t3a.medium", "t2.medium"]
    cli.run("state", "rm", "costops_spot_node_group.ng")
    bad = cli.run("import", "-no-color", "costops_spot_node_group.ng", NODES, check=False)
    assert bad.rc != 0 and "cluster_name>:<node_group_name>" in bad.all
    cli.run("import", "-no-color", "costops_spot_node_group.ng", f"{CLUSTER}:{NODES}")
    state = cli.resources()["costops_spot_node_group.ng"]
    assert state["desired_size"] == 2 and state["capacity_type"] == "SPOT"
    assert cli.plan_exitcode().rc == 0


def test_node_group_guards(cli, aws, emulator):
    """Every scaling guard is a validate-time error on the attribute; the
    diversification checks are warnings; nothing reaches EKS."""
    subnets = ["subnet-aaaa", "subnet-bbbb"]
    cli.write(ng_hcl(subnets, sizes=(3, 5, 6)))
    cli.init()
    emulator.clear_calls()
    res = cli.plan(check=False)
    assert res.rc != 0
    assert "desired_size above max_size" in flat(res)
    assert points_at(res.all, "desired_size", 6)

    cli.write(ng_hcl(subnets, sizes=(4, 3, 3)))
    res = cli.plan(check=False)
    assert res.rc != 0 and "min_size above max_size" in flat(res) and points_at(res.all, "min_size", 4)
    assert "desired_size below min_size" in flat(res)

    cli.write(ng_hcl(subnets, sizes=(0, 0, 0)))
    res = cli.plan(check=False)
    assert res.rc != 0 and "max_size must be at least 1" in flat(res)

    cli.write(ng_hcl(subnets, types=("t3.medium", "t3.medium")).replace(
        'desired_size   = 2', 'desired_size   = 2\n  capacity_type = "ON_DEMAND"'))
    res = cli.plan(check=False)
    assert res.rc != 0 and "Duplicate instance type" in flat(res)
    assert "Few instance types for Spot" in flat(res)
    assert 'capacity_type' in flat(res) and '"SPOT"' in flat(res)
    assert eks_calls(emulator) == []

    # Different sizes: a plan-time warning from EC2 DescribeInstanceTypes.
    cli.write(ng_hcl(subnets, types=("t3.medium", "m5.large", "t3a.medium")))
    res = cli.plan()
    assert "Instance types differ in size" in flat(res)
    assert "m5.large 2 vCPU/8192 MiB" in flat(res)
    assert eks_calls(emulator) == []
    ec2 = [c for c in emulator.calls() if c["service"] == "ec2"]
    assert ec2, "the sizes were read from EC2"

    # A type EC2 does not know is an error at plan time.
    cli.write(ng_hcl(subnets, types=("t3.medium", "t3.bogus", "t2.medium")))
    res = cli.plan(check=False)
    assert res.rc != 0 and "Unknown instance type" in flat(res)
    assert eks_calls(emulator) == []


# ---- training job -------------------------------------------------------------

def tj_hcl(extra="", tags='{ Project = "RetailMLOps" }', runtime=3600, wait=3900):
    return f"""
resource "costops_spot_training_job" "train" {{
  name_prefix         = "retail-forecast-"
  image               = "123456789012.dkr.ecr.us-east-1.amazonaws.com/retail-forecast:latest"
  role_arn            = "{SM_ROLE}"
  input_s3_uri        = "s3://retail-forecast-data-dev/train"
  output_s3_uri       = "s3://retail-forecast-data-dev/output"
  instance_type       = "ml.m5.large"
  max_runtime_seconds = {runtime}
  max_wait_seconds    = {wait}
  tags                = {tags}
{extra}
}}
"""


def sm_calls(emulator, op):
    return [c for c in emulator.calls() if c["service"] == "sagemaker" and c["operation"] == op]


def test_training_job_running_then_stopped_on_destroy(cli, aws, emulator):
    fast(cli)
    cli.write(tj_hcl(tags='{ Project = "RetailMLOps", "costops-test:in-progress-polls" = "forever" }'))
    cli.init()
    res = cli.apply()
    assert "No checkpoint location" in flat(res) and "from the beginning" in flat(res)
    st = cli.resources()["costops_spot_training_job.train"]
    name = st["name"]
    assert name.startswith("retail-forecast-") and st["id"] == name
    assert st["status"] == "InProgress"
    assert st["training_seconds"] is None and st["spot_savings_percent"] is None
    job = aws.sagemaker.describe_training_job(TrainingJobName=name)
    assert job["EnableManagedSpotTraining"] is True
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 3900}
    assert job["ResourceConfig"]["InstanceType"] == "ml.m5.large"
    assert job["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] == "s3://retail-forecast-data-dev/train"
    assert job["OutputDataConfig"]["S3OutputPath"] == "s3://retail-forecast-data-dev/output"
    tags = {t["Key"]: t["Value"] for t in aws.sagemaker.list_tags(ResourceArn=job["TrainingJobArn"])["Tags"]}
    assert tags["Project"] == "RetailMLOps"
    assert cli.plan_exitcode().rc == 0

    emulator.clear_calls()
    cli.destroy()
    assert len(sm_calls(emulator, "StopTrainingJob")) == 1
    job = aws.sagemaker.describe_training_job(TrainingJobName=name)
    assert job["TrainingJobStatus"] == "Stopped"


def test_training_job_completion_savings_and_replace(cli, aws, emulator):
    fast(cli)
    tags = ('{ Project = "RetailMLOps", "costops-test:in-progress-polls" = "2", '
            '"costops-test:training-seconds" = "500" }')
    cli.write(tj_hcl(tags=tags, extra='wait_for_completion = true\n'
                     'checkpoint_s3_uri = "s3://retail-forecast-data-dev/checkpoints"\n'
                     'hyperparameters = { epochs = "10" }'))
    cli.init()
    emulator.clear_calls()
    res = cli.apply()
    assert "No checkpoint location" not in flat(res)
    assert len(sm_calls(emulator, "DescribeTrainingJob")) >= 3
    st = cli.resources()["costops_spot_training_job.train"]
    job = aws.sagemaker.describe_training_job(TrainingJobName=st["name"])
    assert st["status"] == job["TrainingJobStatus"] == "Completed"
    assert st["training_seconds"] == job["TrainingTimeInSeconds"]
    assert st["billable_seconds"] == job["BillableTimeInSeconds"]
    expect = round((1 - job["BillableTimeInSeconds"] / job["TrainingTimeInSeconds"]) * 100, 2)
    assert st["spot_savings_percent"] == pytest.approx(expect)
    assert 0 < st["spot_savings_percent"] < 100
    assert job["CheckpointConfig"]["S3Uri"] == "s3://retail-forecast-data-dev/checkpoints"
    assert job["HyperParameters"] == {"epochs": "10"}
    assert cli.plan_exitcode().rc == 0

    # Tags change in place; anything else replaces the job under a new name.
    cli.write(tj_hcl(tags=tags.replace('"RetailMLOps"', '"RetailMLOps", Stage = "dev"'),
                     extra='wait_for_completion = true\n'
                     'checkpoint_s3_uri = "s3://retail-forecast-data-dev/checkpoints"\n'
                     'hyperparameters = { epochs = "10" }'))
    plan = cli.plan()
    assert "update in-place" in plan.out and "must be replaced" not in plan.out
    cli.apply()
    arn = job["TrainingJobArn"]
    tags_now = {t["Key"]: t["Value"] for t in aws.sagemaker.list_tags(ResourceArn=arn)["Tags"]}
    assert tags_now["Stage"] == "dev"

    cli.write(tj_hcl(runtime=1800, wait=2400, tags=tags,
                     extra='checkpoint_s3_uri = "s3://retail-forecast-data-dev/checkpoints"\n'
                     'hyperparameters = { epochs = "10" }'))
    plan = cli.plan()
    assert "must be replaced" in plan.out and "max_runtime_seconds" in plan.out
    cli.apply()
    st2 = cli.resources()["costops_spot_training_job.train"]
    assert st2["name"] != st["name"]
    assert aws.sagemaker.describe_training_job(TrainingJobName=st2["name"])["StoppingCondition"][
        "MaxRuntimeInSeconds"] == 1800

    # Import by name.
    cli.run("state", "rm", "costops_spot_training_job.train")
    cli.run("import", "-no-color", "costops_spot_training_job.train", st2["name"])
    imported = cli.resources()["costops_spot_training_job.train"]
    assert imported["max_wait_seconds"] == 2400 and imported["instance_type"] == "ml.m5.large"


def test_training_job_guards(cli, aws, emulator):
    cli.write(tj_hcl(runtime=3600, wait=1800))
    cli.init()
    emulator.clear_calls()
    res = cli.plan(check=False)
    assert res.rc != 0 and "max_wait_seconds below max_runtime_seconds" in flat(res)
    assert points_at(res.all, "max_wait_seconds", 1800)

    cli.write(tj_hcl(extra='name = "retail-forecast-1"\ninput_s3_uri_x = 1').replace(
        "\ninput_s3_uri_x = 1", ""))
    res = cli.plan(check=False)
    assert res.rc != 0 and "Set name or name_prefix, not both" in flat(res)

    cli.write(tj_hcl().replace('"ml.m5.large"', '"m5.large"').replace(
        '"s3://retail-forecast-data-dev/train"', '"retail-forecast-data-dev/train"'))
    res = cli.plan(check=False)
    assert res.rc != 0 and "Not a SageMaker instance type" in flat(res) and "Not an S3 URI" in flat(res)
    assert sm_calls(emulator, "CreateTrainingJob") == [] and [
        c for c in emulator.calls() if c["service"] == "sagemaker"] == []


# ---- manifests ------------------------------------------------------------------

MANIFESTS = """
data "costops_spot_interruption_manifests" "k8s" {
  cluster_name       = "retail-forecast-cluster"
  namespace          = "%s"
  app_label          = "retail-forecast-api"
  min_available      = %s
  kubernetes_version = "%s"
  %s
}
output "pdb" { value = data.costops_spot_interruption_manifests.k8s.pdb_yaml }
output "ca" { value = data.costops_spot_interruption_manifests.k8s.cluster_autoscaler_yaml }
output "image" { value = data.costops_spot_interruption_manifests.k8s.cluster_autoscaler_image }
"""


def test_interruption_manifests(cli, aws, emulator):
    role = "arn:aws:iam::123456789012:role/cluster-autoscaler"
    cli.write(MANIFESTS % ("retail-forecast", "1", "1.29", f'autoscaler_role_arn = "{role}"'))
    cli.init()
    cli.apply()
    pdb = yaml.safe_load(cli.output("pdb"))
    assert pdb["apiVersion"] == "policy/v1" and pdb["kind"] == "PodDisruptionBudget"
    assert pdb["metadata"]["namespace"] == "retail-forecast"
    assert pdb["spec"]["minAvailable"] == 1
    assert pdb["spec"]["selector"]["matchLabels"] == {"app": "retail-forecast-api"}

    docs = list(yaml.safe_load_all(cli.output("ca")))
    kinds = [d["kind"] for d in docs]
    assert kinds == ["ServiceAccount", "ClusterRole", "Role", "ClusterRoleBinding",
                     "RoleBinding", "Deployment"]
    sa = docs[0]
    assert sa["metadata"]["namespace"] == "kube-system"
    assert sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == role
    for d in docs[3:5]:
        assert d["subjects"] == [{"kind": "ServiceAccount", "name": "cluster-autoscaler",
                                  "namespace": "kube-system"}]
    cr_resources = {r for rule in docs[1]["rules"] for r in rule["resources"]}
    assert {"nodes", "pods", "pods/eviction", "poddisruptionbudgets", "leases"} <= cr_resources
    dep = docs[5]
    assert dep["metadata"]["namespace"] == "kube-system"
    pod = dep["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "cluster-autoscaler"
    c = pod["containers"][0]
    assert c["image"] == "registry.k8s.io/autoscaling/cluster-autoscaler:v1.29.5"
    assert c["image"] == cli.output("image")
    flags = c["command"]
    for f in ["--cloud-provider=aws", "--expander=least-waste", "--balance-similar-node-groups",
              "--skip-nodes-with-system-pods=false",
              "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,"
              "k8s.io/cluster-autoscaler/retail-forecast-cluster"]:
        assert f in flags, flags
    assert {"name": "AWS_REGION", "value": "us-east-1"} in c["env"]
    assert dep["spec"]["selector"]["matchLabels"] == dep["spec"]["template"]["metadata"]["labels"]

    # A percentage stays a string (IntOrString); another minor, another CA.
    cli.write(MANIFESTS % ("retail-forecast", '"50%"', "1.31", 'region = "eu-west-1"'))
    cli.apply()
    assert yaml.safe_load(cli.output("pdb"))["spec"]["minAvailable"] == "50%"
    ca = list(yaml.safe_load_all(cli.output("ca")))
    c = ca[5]["spec"]["template"]["spec"]["containers"][0]
    assert c["image"].endswith(":v1.31.1")
    assert {"name": "AWS_REGION", "value": "eu-west-1"} in c["env"]
    assert "annotations" not in ca[0]["metadata"]


def test_interruption_manifests_guards(cli, aws, emulator):
    cli.write(MANIFESTS % ("Retail_Forecast", "-1", "1.99", ""))
    cli.init()
    res = cli.plan(check=False)
    assert res.rc != 0
    assert "Invalid namespace" in flat(res) and "DNS-1123" in flat(res)
    assert "Invalid min_available" in flat(res)
    assert "No known Cluster Autoscaler release" in flat(res)
    cli.write(MANIFESTS % ("retail-forecast", "1", "1.29",
                           'cluster_autoscaler_version = "1.28.7"'))
    res = cli.plan(check=False)
    assert res.rc != 0 and "Autoscaler does not match the cluster" in flat(res)
    cli.write(MANIFESTS % ("retail-forecast", "1", "1.99",
                           'cluster_autoscaler_version = "1.99.0"'))
    cli.apply()
    assert cli.output("image").endswith(":v1.99.0")


# ---- the example ------------------------------------------------------------------

def test_example_retail_mlops_spot(cli, aws, emulator):
    """examples/retail-mlops/spot.tf applies with the seed's settings; boto3
    sees them; destroy removes the node group."""
    fast(cli)
    subnets = make_cluster(aws)
    with open(os.path.join(TOP, "examples", "retail-mlops", "spot.tf")) as f:
        cli.write(f.read(), DEFAULT_TAGS)
    cli.init()
    args = ["-var", f"spot_subnet_ids={json.dumps(subnets)}"]
    res = cli.apply(*args)
    assert "Warning" not in res.all, res.all
    ng = describe_ng(aws)
    assert ng["capacityType"] == "SPOT"
    assert ng["instanceTypes"] == ["t3.medium", "t3a.medium", "t2.medium"]
    assert ng["scalingConfig"] == {"minSize": 2, "maxSize": 5, "desiredSize": 2}
    assert ng["labels"] == {"app": "retail-api"}
    assert ng["tags"]["Project"] == "RetailMLOps"

    jobs = aws.sagemaker.list_training_jobs()["TrainingJobSummaries"]
    assert len(jobs) == 1
    job = aws.sagemaker.describe_training_job(TrainingJobName=jobs[0]["TrainingJobName"])
    assert job["EnableManagedSpotTraining"] is True
    assert job["ResourceConfig"]["InstanceType"] == "ml.m5.large"
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 3900}
    assert job["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] == \
        "s3://retail-forecast-data-dev/train"
    assert job["OutputDataConfig"]["S3OutputPath"] == "s3://retail-forecast-data-dev/output"
    tags = {t["Key"]: t["Value"] for t in aws.sagemaker.list_tags(ResourceArn=job["TrainingJobArn"])["Tags"]}
    assert tags["Project"] == "RetailMLOps"

    pdb = yaml.safe_load(cli.output("spot_pdb_yaml"))
    assert pdb["spec"] == {"minAvailable": 1, "selector": {"matchLabels": {"app": "retail-forecast-api"}}}
    ca = list(yaml.safe_load_all(cli.output("spot_cluster_autoscaler_yaml")))
    assert ca[-1]["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":v1.29.5")
    assert cli.plan_exitcode(*args).rc == 0

    cli.destroy(*args)
    with pytest.raises(aws.eks.exceptions.ResourceNotFoundException):
        describe_ng(aws)


def test_node_group_destroy_and_plan_after_the_cluster_is_gone(cli, aws, emulator):
    """costops_teardown is destroyed first and deletes the node group and
    its cluster: the later destroy (refresh done before) is done at once,
    and a plan reads the node group as gone."""
    fast(cli)
    subnets = make_cluster(aws)
    cli.write(ng_hcl(subnets))
    cli.init()
    cli.apply()
    aws.eks.delete_nodegroup(clusterName=CLUSTER, nodegroupName=NODES)
    aws.eks.delete_cluster(name=CLUSTER)
    plan = cli.plan()
    assert "# costops_spot_node_group.ng will be created" in plan.out, plan
    cli.destroy("-refresh=false")
    assert cli.resources() == {}
