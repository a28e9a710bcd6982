# What the stack costs a month before and after this example's controls
# (issue 8; the seed's §8 table, redone for these settings). Each costops
# resource also shows its own figure in the plan (estimated_monthly_usd,
# estimated_monthly_savings_usd, estimate_basis); this data source adds the
# parts no resource owns (the load balancer, log ingestion) and the totals.
# docs/costs.md explains every figure. The settings are written out rather
# than read from the resources: a data source that refers to resources with
# changes pending is read only at apply, and the plan should show the table.
#
# Differences from the seed's table, and why:
# - Catalog list prices (t3.medium 0.0416 USD/h, ALB 0.0225 USD/h + LCU)
#   instead of the seed's round 0.04 and 0.027; examples/seed-cost-table
#   reproduces the seed's own figures.
# - Two nodes (the seed's min 2 / desired 2), not the one its table prices.
# - The schedule here runs 07:00-19:00 UTC every day: 12 of 24 hours, so
#   365 of 730 hours, not the table's 200 (10 h x 20 working days).
# - No control of this example stops the load balancer (an ALB cannot be
#   stopped; costops_teardown deletes it with the stack), so its line saves
#   nothing. The seed's 200 hours assume it is deleted every night.
# - Log retention saves storage, not ingestion (retention does not change
#   what is ingested); the seed's 5 -> 1.5 GB ingestion cut needs less
#   logging, which no resource here does.

variable "estimate_training_jobs_per_month" {
  description = "Training runs a month, for the estimate (the seed prices one at 0.3 USD)."
  type        = number
  default     = 20
}

data "costops_cost_estimate" "retail" {
  # Spot prices: live from EC2 when the credentials are verified and the
  # price is believable, else the catalog's discount (the basis says which).
  spot_prices = "auto"

  # §2.1 + §4.1: 2 x t3.medium on-demand 24x7 before; after, on Spot and
  # stopped 19:00-07:00.
  node_group {
    name                  = "EKS node group"
    instance_type         = "t3.medium"
    nodes                 = 2
    spot                  = true
    hours_per_month_after = 365
  }

  # §3.1: 50 GB in Standard before; after, as the seed assumes, all of it
  # in Intelligent-Tiering's Infrequent Access tier.
  s3 {
    name         = "S3 data lake"
    gb           = 50
    after_shares = { "intelligent-tiering-infrequent" = 1 }
  }

  # §6.2: 5 GB ingested a month, kept forever before (a year of history
  # stored), 7 days after.
  logs {
    name                  = "CloudWatch Logs"
    ingested_gb_per_month = 5
    retention_days_before = 0
    retention_days_after  = 7
    history_days          = 365
  }

  # The ALB in front of the API: always on, before and after.
  load_balancer {
    name = "Load balancer"
  }

  # §6.1: 5 GB of images; the lifecycle policy keeps about 40 % of them.
  images {
    name                 = "ECR images"
    gb                   = 5
    retained_share_after = 0.4
  }

  # §2.2: ml.m5.large jobs of up to 3600 s, on managed Spot after.
  training {
    name           = "SageMaker training"
    instance_type  = "ml.m5.large"
    jobs_per_month = var.estimate_training_jobs_per_month
    hours_per_job  = 1
    spot           = true
  }

  # §4.1: the endpoint (1 x ml.m5.large, as the stack creates it) is
  # deleted at 19:00 and created again at 07:00.
  endpoint {
    name                  = "SageMaker endpoint"
    instance_type         = "ml.m5.large"
    instance_count        = 1
    hours_per_month_after = 365
  }
}

output "before_monthly_usd" {
  description = "What the stack costs a month without the controls."
  value       = data.costops_cost_estimate.retail.before_monthly_usd
}

output "after_monthly_usd" {
  description = "What it costs a month with them."
  value       = data.costops_cost_estimate.retail.after_monthly_usd
}

output "cost_table" {
  description = "The before/after table, line by line."
  value       = data.costops_cost_estimate.retail.table_text
}
