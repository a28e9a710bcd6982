# The seed's §6.2: CloudWatch Logs retention for the cluster, API and
# training logs. The seed says 7 days in one place and 30 in another; 7 is
# what its Terraform sets. /aws/sagemaker/TrainingJobs is created by
# SageMaker itself, which is why a prefix-based resource is needed.
resource "costops_log_retention" "mlops" {
  log_group_prefixes = [
    "/aws/eks/retail-forecast-cluster/cluster",
    "/aws/retail-forecast/api",
    "/aws/sagemaker/TrainingJobs",
  ]
  retention_in_days  = 7
  restore_on_destroy = true
}

output "log_groups" {
  description = "Each managed log group and its retention."
  value       = costops_log_retention.mlops.log_groups
}
