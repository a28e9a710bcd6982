/* Pure helpers shared by the Spot resources (spot_node_group.c,
 * spot_training_job.c, spot_interruption_manifests.c), exposed for their
 * unit tests (tests/unit/test_spot.c). */
#ifndef CO_RESOURCES_SPOT_H
#define CO_RESOURCES_SPOT_H

#include <stdbool.h>

#include "provider/util/buf.h"

/* True when s is a DNS-1123 label: 1-63 of [a-z0-9-], starting and ending
 * with a letter or digit (Kubernetes names of namespaces, labels' values
 * are looser; see the callers). */
bool co_spot_dns1123_label(const char *s);

/* True when s is a valid Kubernetes label value: empty, or up to 63 of
 * [A-Za-z0-9._-] starting and ending with a letter or digit. */
bool co_spot_label_value(const char *s);

/* Appends s as a YAML double-quoted scalar, escaping '"', '\\' and control
 * characters, so any value is safe in the generated manifests. 0 or -1
 * (buffer limit). */
int co_spot_yaml_quote(co_buf *out, const char *s);

/* The Cluster Autoscaler release for a Kubernetes "major.minor" ("1.29"
 * -> "1.29.5"), or NULL when the minor is not in the table. */
const char *co_spot_ca_version(const char *kubernetes_version);

/* (1 - billable / training) * 100, as DescribeTrainingJob's documentation
 * defines managed Spot savings; 0 when training is not positive. */
double co_spot_savings_percent(double training_seconds,
    double billable_seconds);

#endif
