# The seed's off-hours schedule (§4.1): at 19:00 UTC the node group goes to
# min 0 / desired 0 and the SageMaker endpoint is deleted; at 07:00 UTC the
# node group is back at min 2 / desired 2 and the endpoint is created again
# from its endpoint configuration. It runs inside AWS (EventBridge Scheduler
# universal targets), so no Lambda, EventBridge rules or permissions to keep.
#
# Differences from the seed, and why (docs/resources/schedule.md):
# - the node group's own scaling config is changed (UpdateNodegroupConfig),
#   not its Auto Scaling group: EKS would put the ASG back; maxSize (5) is
#   left alone because EKS rejects maxSize < 1;
# - the endpoint is recreated at 07:00 (the seed's Lambda only deleted it);
# - the IAM role is least privilege for exactly these targets.
resource "costops_schedule" "off_hours" {
  name     = "retail-forecast-${var.env}-off-hours"
  timezone = "UTC"

  stop_cron  = "cron(0 19 * * ? *)"
  start_cron = "cron(0 7 * * ? *)"

  node_group {
    cluster_name = costops_spot_node_group.retail_api.cluster_name
    name         = costops_spot_node_group.retail_api.name
    min_size     = 2
    desired_size = 2
  }

  sagemaker_endpoint {
    name                 = "retail-forecast-endpoint"
    endpoint_config_name = "retail-forecast-endpoint-config"
  }
}
