# The seed's cost table (section 8 of the tutorial), reproduced under the
# seed's own assumptions. Needs no AWS account and no network:
#
#   tofu init && tofu apply
#
# prints the before/after table and outputs before_monthly_usd (52.39) and
# after_monthly_usd (9.38). docs/costs.md explains every figure.

terraform {
  required_providers {
    costops = { source = "costops.dev/costops/costops" }
  }
}

# The estimate reads only the price catalog compiled into the provider, so
# the provider needs no real credentials here: dummy keys, and no STS call.
provider "costops" {
  region                      = "us-east-1"
  access_key                  = "offline"
  secret_key                  = "offline"
  skip_credentials_validation = true
}

data "costops_cost_estimate" "seed" {
  # The seed prices a 30-day month (0.04 x 720 = 28.80).
  hours_per_month = 720
  # Never ask EC2 for Spot prices: the seed assumes its own discount.
  spot_prices = "catalog"

  # 1 node at the seed's 0.04 USD/h, 24x7 before. After: Spot at 70 % off
  # (0.012 USD/h) for 200 hours (10 h x 20 working days): 2.40.
  node_group {
    name                        = "EKS NodeGroup"
    instance_type               = "t3.medium"
    nodes                       = 1
    price_override_usd_per_hour = 0.04
    spot                        = true
    spot_discount_percent       = 70
    hours_per_month_after       = 200
  }

  # 50 GB in Standard (50 x 0.023 = 1.15); after, all of it in the
  # Intelligent-Tiering Infrequent Access tier (50 x 0.0125 = 0.625).
  s3 {
    name         = "S3 Storage"
    gb           = 50
    after_shares = { "intelligent-tiering-infrequent" = 1 }
  }

  # 5 GB ingested a month at 0.50 = 2.50; after, 1.5 GB (0.75). The seed
  # counts ingestion only, so storage is left out (history_days = 0).
  logs {
    name                        = "CloudWatch Logs"
    ingested_gb_per_month       = 5
    ingested_gb_per_month_after = 1.5
    retention_days_after        = 7
    history_days                = 0
  }

  # The seed's ALB price 0.027 USD/h x 720 h = 19.44; after, 200 h = 5.40.
  load_balancer {
    name                        = "LoadBalancer"
    price_override_usd_per_hour = 0.027
    hours_per_month_after       = 200
  }

  # 5 GB of images at 0.10 = 0.50; the lifecycle policy keeps 40 % (0.20).
  images {
    name                 = "ECR Storage"
    gb                   = 5
    retained_share_after = 0.4
  }
}

output "table" {
  value = data.costops_cost_estimate.seed.table_text
}

output "before_monthly_usd" {
  value = data.costops_cost_estimate.seed.before_monthly_usd
}

output "after_monthly_usd" {
  value = data.costops_cost_estimate.seed.after_monthly_usd
}

output "savings_percent" {
  value = data.costops_cost_estimate.seed.savings_percent
}

output "lines" {
  value = data.costops_cost_estimate.seed.lines
}
