# The seed's §3: lifecycle rules and Intelligent-Tiering on the data bucket.
# The bucket itself belongs to the stack (created elsewhere); costops owns its
# whole lifecycle configuration and the RetailDataTiering configuration.
#
# Plan shows one warning per transitioning rule: these rules do not set
# object_size_greater_than, so objects under 128 KB are not transitioned
# (S3's default) and small archived objects carry 40 KB of overhead. The seed
# sets no size filter, so neither do we.
locals {
  data_bucket = "retail-forecast-data-${var.env}"
}

resource "costops_storage_lifecycle" "data" {
  bucket = local.data_bucket

  rule {
    id                             = "raw-intelligent-tiering"
    prefix                         = "raw/"
    intelligent_tiering_after_days = 30
  }

  rule {
    id                             = "silver-intelligent-tiering"
    prefix                         = "silver/"
    intelligent_tiering_after_days = 30
  }

  rule {
    id                      = "artifacts-archive"
    prefix                  = "artifacts/"
    glacier_ir_after_days   = 90
    deep_archive_after_days = 180
  }

  rule {
    id                      = "logs-archive"
    prefix                  = "logs/"
    glacier_ir_after_days   = 90
    deep_archive_after_days = 180
  }

  rule {
    id                = "tmp-expire"
    prefix            = "tmp/"
    tags              = { temporary = "true" }
    expire_after_days = 7
  }

  intelligent_tiering {
    name                           = "RetailDataTiering"
    prefix                         = "data/"
    archive_access_after_days      = 90
    deep_archive_access_after_days = 180
  }
}

output "data_bucket_lifecycle_rules" {
  description = "IDs of the lifecycle rules on the data bucket."
  value       = [for r in costops_storage_lifecycle.data.rule : r.id]
}
