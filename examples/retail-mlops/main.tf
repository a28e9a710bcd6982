# The cost controls of the Retail Prediction API's MLOps stack (the seed's
# "Task 12"), declared next to the stack. Each topic is in its own file:
# logs.tf, storage.tf, images.tf, spot.tf, schedule.tf, budget.tf,
# teardown.tf. Against real AWS, drop `endpoint_url` and use your usual
# credentials (environment, shared files, profile).

terraform {
  required_providers {
    costops = {
      source = "costops.dev/costops/costops"
    }
  }
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "env" {
  description = "Environment suffix used in names (the seed's ENV)."
  type        = string
  default     = "dev"
}

variable "endpoint_url" {
  description = "One endpoint for every AWS service (the emulator, in make demo); null for real AWS."
  type        = string
  default     = null
}


provider "costops" {
  region            = var.region
  s3_use_path_style = var.endpoint_url != null
  # The emulator answers 500 for what it does not implement, which is not
  # transient; against AWS keep the default (25 retries with backoff).
  max_retries = var.endpoint_url != null ? 3 : null

  # The seed's tag strategy (5.1): every resource carries Project = RetailMLOps.
  default_tags = {
    Project = "RetailMLOps"
  }

  dynamic "endpoints" {
    for_each = var.endpoint_url == null ? [] : [1]
    content {
      autoscaling              = var.endpoint_url
      budgets                  = var.endpoint_url
      ce                       = var.endpoint_url
      ec2                      = var.endpoint_url
      ecr                      = var.endpoint_url
      eks                      = var.endpoint_url
      elbv2                    = var.endpoint_url
      events                   = var.endpoint_url
      iam                      = var.endpoint_url
      lambda                   = var.endpoint_url
      logs                     = var.endpoint_url
      resourcegroupstaggingapi = var.endpoint_url
      s3                       = var.endpoint_url
      sagemaker                = var.endpoint_url
      scheduler                = var.endpoint_url
      sns                      = var.endpoint_url
      sts                      = var.endpoint_url
    }
  }
}
