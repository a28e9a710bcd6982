#!/usr/bin/env python3
"""Maps the seeded stack (seed_stack.py's JSON) onto the variables the
example declares, for make demo. Usage: demo_vars.py stack.json *.tf"""
import json
import re
import sys

stack = json.load(open(sys.argv[1]))
declared = set()
for tf in sys.argv[2:]:
    declared |= set(re.findall(r'variable\s+"([^"]+)"', open(tf).read()))
values = {
    "budget_alert_sns_topic_arn": stack["alerts_topic_arn"],
    "teardown_notify_topic_arn": stack["alerts_topic_arn"],
    "cluster_name": stack["cluster_name"],
    "node_role_arn": stack["role_arn"],
    "training_role_arn": stack["role_arn"],
    "subnet_ids": stack["subnet_ids"],
    "data_bucket": stack["bucket"],
    "spot_cluster_name": stack["cluster_name"],
    "spot_node_role_arn": stack["role_arn"],
    "spot_subnet_ids": stack["subnet_ids"],
    "spot_sagemaker_role_arn": stack["role_arn"],
    "spot_data_bucket": stack["bucket"],
}
print(json.dumps({k: v for k, v in values.items() if k in declared}))
