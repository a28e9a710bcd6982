# The seed's §6.1: the lifecycle policy of the ECR repository
# `retail-forecast` — keep 3 untagged images, 3 per tag prefix prod, stage
# and dev, and the 10 most recent overall. (The seed's "scan on push" is a
# setting of the repository itself, not of its lifecycle policy.)
#
# Two differences from the seed's hand-written JSON, both on purpose:
# - The seed puts prod, stage and dev in ONE rule's tagPrefixList, which ECR
#   reads as "images carrying tags with all three prefixes" — almost none.
#   keep_per_tag_prefix makes one rule per prefix, which is what "3 per tag
#   prefix" means.
# - The plan warns that keep_total = 10 is not above the 12 images the other
#   rules keep: ECR never lets the `any` rule expire images an earlier rule
#   selected, so it only trims images with other tags (latest, a commit
#   hash), and the repository can hold more than 10 images. That is the
#   seed's setting, kept as is.
resource "costops_image_retention" "retail_forecast" {
  repository    = "retail-forecast"
  keep_untagged = 3
  keep_per_tag_prefix = {
    prod  = 3
    stage = 3
    dev   = 3
  }
  keep_total = 10
}

output "images_would_expire" {
  description = "The images the next ECR lifecycle run would expire (preview made at plan time)."
  value       = costops_image_retention.retail_forecast.would_expire
}
