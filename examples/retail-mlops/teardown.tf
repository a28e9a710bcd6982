# Seed §7 (teardown script and workflow) and §9 (verify nothing remains):
# one resource that finds everything the Retail MLOps project left behind,
# shows it in the plan, deletes it in dependency order when the stack is
# destroyed, and checks that nothing is left.
#
# It must be destroyed before the rest of the stack, so it is declared to
# depend on it: destroy runs it first, and what it removes the others then
# find already gone. In a real stack, list the aws_* resources here too.

variable "teardown_confirm" {
  description = <<-EOT
    Must be "destroy" for the teardown to delete anything, like the seed's
    workflow_dispatch input `confirmation`. Terraform sends no configuration
    on destroy, so the value that counts is the one in state: `make demo`
    sets TF_VAR_teardown_confirm=destroy for its apply and its destroy. By
    hand: `tofu apply -var teardown_confirm=destroy` (changes nothing in
    AWS), then `tofu destroy -var teardown_confirm=destroy`.
  EOT
  type        = string
  default     = ""
}

resource "costops_teardown" "retail" {
  # Everything the provider's default_tags (and the seed's common_tags)
  # put on the stack.
  tag_filter = { Project = "RetailMLOps" }

  # What tags cannot find. The seed's workflow deletes every SageMaker
  # endpoint named retail-forecast*; EKS and the API write log groups
  # that nobody tags. /aws/sagemaker/TrainingJobs is left alone on
  # purpose: every project's training jobs log there.
  sagemaker_endpoint_prefixes = ["retail-forecast"]
  ecr_repositories            = ["retail-forecast"]
  log_group_prefixes = [
    "/aws/eks/retail-forecast-cluster",
    "/aws/retail-forecast",
    "/aws/sagemaker/Endpoints/retail-forecast",
  ]

  # Anything tagged costops:protect = true survives (the default).
  protect_tag = "costops:protect=true"

  depends_on = [
    costops_budget_guard.monthly,
    costops_image_retention.retail_forecast,
    costops_log_retention.mlops,
    costops_schedule.off_hours,
    costops_spot_node_group.retail_api,
    costops_spot_training_job.forecast,
    costops_storage_lifecycle.data,
  ]

  confirm     = var.teardown_confirm
  report_path = "${path.root}/teardown-report.json"

  # The seed's workflow publishes success or failure to SNS; point this at
  # the stack's topic when there is one:
  # notify_sns_topic_arn = aws_sns_topic.alerts.arn

  timeouts {
    delete = "60m"
  }
}

output "teardown_inventory_count" {
  description = "How many items the teardown will delete."
  value       = costops_teardown.retail.inventory_count
}
