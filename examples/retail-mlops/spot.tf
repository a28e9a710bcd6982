# Spot compute (seed §2): the EKS node group and the SageMaker training job
# on Spot, and the Kubernetes side of interruption handling.
#
# The EKS cluster, the node and SageMaker roles, the subnets and the data
# bucket belong to the rest of the stack; pass their real values through
# these variables (the defaults are placeholders in the seed's naming).

variable "spot_cluster_name" {
  description = "EKS cluster the Spot node group joins."
  type        = string
  default     = "retail-forecast-cluster"
}

variable "spot_kubernetes_version" {
  description = "The cluster's Kubernetes version (major.minor)."
  type        = string
  default     = "1.29"
}

variable "spot_node_role_arn" {
  description = "IAM role of the EKS nodes."
  type        = string
  default     = "arn:aws:iam::123456789012:role/retail-forecast-eks-node-role"
}

variable "spot_subnet_ids" {
  description = "Private subnets of the cluster, one per Availability Zone."
  type        = list(string)
  default     = ["subnet-0retailforecasta", "subnet-0retailforecastb"]
}

variable "spot_sagemaker_role_arn" {
  description = "IAM role SageMaker assumes for training."
  type        = string
  default     = "arn:aws:iam::123456789012:role/retail-forecast-sagemaker-role"
}

variable "spot_training_image" {
  description = "Training image in ECR."
  type        = string
  default     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/retail-forecast-training:latest"
}

variable "spot_data_bucket" {
  description = "Bucket with the training data (s3://BUCKET/train) and outputs."
  type        = string
  default     = "retail-forecast-data-dev"
}

# §2.1: three instance types of one size (2 vCPU, 4 GiB) are three Spot
# pools; min 2 / max 5 / desired 2. The desired size is left to Cluster
# Autoscaler and the off-hours schedule (track_desired_size = false).
resource "costops_spot_node_group" "retail_api" {
  cluster_name   = var.spot_cluster_name
  name           = "retail-forecast-nodes"
  node_role_arn  = var.spot_node_role_arn
  subnet_ids     = var.spot_subnet_ids
  instance_types = ["t3.medium", "t3a.medium", "t2.medium"]
  min_size       = 2
  max_size       = 5
  desired_size   = 2

  labels = {
    app = "retail-api"
  }
}

# §2.2: managed Spot training, 3600 s of training within 3900 s in all.
# Differs from the seed: a checkpoint location, so an interruption resumes
# training instead of restarting it (costops warns without one). The
# Project tag comes from the provider's default_tags.
resource "costops_spot_training_job" "forecast" {
  name_prefix         = "retail-forecast-"
  image               = var.spot_training_image
  role_arn            = var.spot_sagemaker_role_arn
  input_s3_uri        = "s3://${var.spot_data_bucket}/train"
  output_s3_uri       = "s3://${var.spot_data_bucket}/output"
  checkpoint_s3_uri   = "s3://${var.spot_data_bucket}/checkpoints"
  instance_type       = "ml.m5.large"
  max_runtime_seconds = 3600
  max_wait_seconds    = 3900
}

# §2.3: keep one API pod up while Spot nodes drain, and let Cluster
# Autoscaler (least-waste, tag auto-discovery, balanced groups) replace
# lost capacity. Apply with the kubernetes provider or kubectl.
data "costops_spot_interruption_manifests" "retail" {
  cluster_name       = var.spot_cluster_name
  namespace          = "retail-forecast"
  app_label          = "retail-forecast-api"
  min_available      = 1
  kubernetes_version = var.spot_kubernetes_version
}

output "spot_pdb_yaml" {
  description = "PodDisruptionBudget for the retail forecast API."
  value       = data.costops_spot_interruption_manifests.retail.pdb_yaml
}

output "spot_cluster_autoscaler_yaml" {
  description = "Cluster Autoscaler for AWS, matching the cluster's version."
  value       = data.costops_spot_interruption_manifests.retail.cluster_autoscaler_yaml
}

output "spot_training_savings_percent" {
  description = "Managed Spot savings of the training job, once it has ended."
  value       = costops_spot_training_job.forecast.spot_savings_percent
}
