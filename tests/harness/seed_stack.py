#!/usr/bin/env python3
"""Creates, in the emulator, the Retail Prediction API stack that the seed's
cost controls act on (what the stack's own Terraform would have made): the
EKS cluster, the SageMaker endpoint, the data bucket with objects, the ECR
repository with images, the log groups, an SNS topic for alerts.

Used by `make demo` and the end-to-end tests. Prints a JSON summary.
Usage: seed_stack.py ENDPOINT_URL [--region us-east-1] [--env dev]
"""
import argparse
import json
import sys

import boto3

TAGS = {"Project": "RetailMLOps"}


def client(svc, url, region):
    return boto3.client(svc, region_name=region, endpoint_url=url,
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=boto3.session.Config(s3={"addressing_style": "path"}))


def seed(url, region="us-east-1", env="dev"):
    c = lambda s: client(s, url, region)  # noqa: E731
    out = {}
    iam = c("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "Service": ["eks.amazonaws.com", "sagemaker.amazonaws.com", "ec2.amazonaws.com"]},
        "Action": "sts:AssumeRole"}]})
    role = iam.create_role(RoleName=f"retail-forecast-{env}-role", AssumeRolePolicyDocument=trust)
    out["role_arn"] = role["Role"]["Arn"]

    ec2 = c("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24",
                                 AvailabilityZone=f"{region}{z}")["Subnet"]["SubnetId"]
               for i, z in ((1, "a"), (2, "b"))]
    out["subnet_ids"] = subnets

    eks = c("eks")
    eks.create_cluster(name="retail-forecast-cluster", roleArn=out["role_arn"],
                       resourcesVpcConfig={"subnetIds": subnets}, tags=TAGS)
    out["cluster_name"] = "retail-forecast-cluster"

    sm = c("sagemaker")
    sm.create_model(ModelName="retail-forecast-model", ExecutionRoleArn=out["role_arn"],
                    PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/retail-forecast:prod-1"},
                    Tags=[{"Key": "Project", "Value": "RetailMLOps"}])
    sm.create_endpoint_config(EndpointConfigName="retail-forecast-endpoint-config",
                              ProductionVariants=[{"VariantName": "AllTraffic",
                                                   "ModelName": "retail-forecast-model",
                                                   "InitialInstanceCount": 1,
                                                   "InstanceType": "ml.m5.large"}],
                              Tags=[{"Key": "Project", "Value": "RetailMLOps"}])
    sm.create_endpoint(EndpointName="retail-forecast-endpoint",
                       EndpointConfigName="retail-forecast-endpoint-config",
                       Tags=[{"Key": "Project", "Value": "RetailMLOps"}])
    out["endpoint_name"] = "retail-forecast-endpoint"

    s3 = c("s3")
    bucket = f"retail-forecast-data-{env}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "Project", "Value": "RetailMLOps"}]})
    for key in ("raw/sales-2026-01.csv", "silver/sales.parquet", "artifacts/model-1.tar.gz",
                "logs/train-1.log", "tmp/scratch.bin", "data/features.parquet"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x" * 1024)
    out["bucket"] = bucket

    ecr = c("ecr")
    ecr.create_repository(repositoryName="retail-forecast",
                          imageScanningConfiguration={"scanOnPush": True},
                          tags=[{"Key": "Project", "Value": "RetailMLOps"}])
    # More images than the seed's policy keeps, so the plan's preview has
    # something to show: 5 prod, 2 stage, 4 dev, 5 untagged, oldest first.
    images = ([f"prod-{i}" for i in range(1, 6)] + ["stage-1", "stage-2"] +
              [f"dev-{i}" for i in range(1, 5)] + [None] * 5)
    for i, tag in enumerate(images):
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                               "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                                          "size": 1000 + i, "digest": f"sha256:{i:064x}"},
                               "layers": []})
        kw = {"imageTag": tag} if tag else {}
        ecr.put_image(repositoryName="retail-forecast", imageManifest=manifest, **kw)
    out["repository"] = "retail-forecast"

    logs = c("logs")
    for g in ("/aws/eks/retail-forecast-cluster/cluster", "/aws/retail-forecast/api",
              "/aws/sagemaker/TrainingJobs"):
        logs.create_log_group(logGroupName=g, tags=TAGS)
    sns = c("sns")
    out["alerts_topic_arn"] = sns.create_topic(Name="retail-forecast-alerts",
                                               Tags=[{"Key": "Project", "Value": "RetailMLOps"}])["TopicArn"]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--env", default="dev")
    args = ap.parse_args()
    json.dump(seed(args.url, args.region, args.env), sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
