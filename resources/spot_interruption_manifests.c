/* data "costops_spot_interruption_manifests": the Kubernetes side of Spot
 * interruption handling (seed §2.3) as YAML for the kubernetes provider or
 * kubectl: a PodDisruptionBudget that keeps some replicas of the app up
 * while Spot nodes are drained, and a Cluster Autoscaler for AWS that
 * discovers the node groups by tag and replaces lost capacity. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider/framework/resource.h"
#include "provider/util/log.h"
#include "resources/spot.h"

/* Cluster Autoscaler releases per Kubernetes minor. Since Kubernetes 1.12
 * the CA minor matches the Kubernetes minor (kubernetes/autoscaler,
 * cluster-autoscaler/README.md, "Releases"); the patch is the latest
 * release of that line published by late 2024 (cluster-autoscaler-<v> tags;
 * 1.33 and 1.34 their first release). `cluster_autoscaler_version` picks
 * another one. */
static const struct {
	const char *minor;
	const char *release;
} ca_releases[] = {
    {"1.23", "1.23.0"},
    {"1.24", "1.24.0"},
    {"1.25", "1.25.3"},
    {"1.26", "1.26.8"},
    {"1.27", "1.27.8"},
    {"1.28", "1.28.7"},
    {"1.29", "1.29.5"},
    {"1.30", "1.30.3"},
    {"1.31", "1.31.1"},
    {"1.32", "1.32.0"},
    {"1.33", "1.33.0"},
    {"1.34", "1.34.0"},
};

#define CA_IMAGE_REPO "registry.k8s.io/autoscaling/cluster-autoscaler"
/* Generated YAML stays far below this; the cap only bounds input-grown
 * text (every input is short and validated). */
#define YAML_CAP ((size_t)1 << 20)

static const co_attr_schema attrs[] = {
	{.name = "cluster_name", .type = "\"string\"", .flags = CO_REQUIRED,
	    .description = "EKS cluster name. Cluster Autoscaler discovers "
			   "the Auto Scaling groups tagged "
			   "`k8s.io/cluster-autoscaler/enabled` and "
			   "`k8s.io/cluster-autoscaler/<cluster_name>` (EKS "
			   "managed node groups carry both)."},
	{.name = "namespace", .type = "\"string\"", .flags = CO_REQUIRED,
	    .description = "Namespace of the application the "
			   "PodDisruptionBudget protects (a DNS-1123 label)."},
	{.name = "app_label", .type = "\"string\"", .flags = CO_REQUIRED,
	    .description = "Value of the `app` label of the application's "
			   "pods (a DNS-1123 label); the budget is named "
			   "`<app_label>-pdb`."},
	{.name = "min_available", .type = "\"string\"", .flags = CO_REQUIRED,
	    .description = "Pods that must stay available while nodes are "
			   "drained: a whole number (`1`) or a percentage "
			   "(`\"50%\"`)."},
	{.name = "kubernetes_version", .type = "\"string\"",
	    .flags = CO_REQUIRED,
	    .description = "The cluster's Kubernetes version, `major.minor` "
			   "(`\"1.29\"`); picks the Cluster Autoscaler release "
			   "of the same minor, as the autoscaler project "
			   "requires."},
	{.name = "region", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "AWS region of the cluster (`AWS_REGION` of the "
			   "autoscaler). Default: the provider's region."},
	{.name = "autoscaler_role_arn", .type = "\"string\"",
	    .flags = CO_OPTIONAL,
	    .description = "IAM role for the autoscaler's service account "
			   "(IRSA: the `eks.amazonaws.com/role-arn` "
			   "annotation). Without it the autoscaler uses the "
			   "node role, which then needs the Auto Scaling "
			   "permissions."},
	{.name = "cluster_autoscaler_version", .type = "\"string\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED,
	    .description = "Cluster Autoscaler release (`1.29.5`). Default: "
			   "the release costops knows for `kubernetes_version` "
			   "(1.23 to 1.34). Its minor must match the "
			   "cluster's."},
	{.name = "cluster_autoscaler_image", .type = "\"string\"",
	    .flags = CO_COMPUTED,
	    .description = "The autoscaler image used "
			   "(`registry.k8s.io/autoscaling/cluster-autoscaler:"
			   "v<version>`)."},
	{.name = "pdb_yaml", .type = "\"string\"", .flags = CO_COMPUTED,
	    .description = "The PodDisruptionBudget (`policy/v1`) as YAML."},
	{.name = "cluster_autoscaler_yaml", .type = "\"string\"",
	    .flags = CO_COMPUTED,
	    .description = "Cluster Autoscaler for AWS as a multi-document "
			   "YAML: ServiceAccount, ClusterRole, Role, their "
			   "bindings and the Deployment in `kube-system`, "
			   "with `--expander=least-waste`, tag auto-discovery, "
			   "`--balance-similar-node-groups` and "
			   "`--skip-nodes-with-system-pods=false`."},
	{0},
};

static const co_block_schema schema = {
	.attrs = attrs,
	.description = "Renders the Kubernetes manifests that handle Spot "
		       "interruptions: a PodDisruptionBudget for the "
		       "application and a Cluster Autoscaler for AWS whose "
		       "image matches the cluster's Kubernetes minor.",
};

/* ---- pure helpers (spot.h) --------------------------------------------- */

static bool is_alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
	return is_alnum_lower(c) || (c >= 'A' && c <= 'Z');
}

bool co_spot_dns1123_label(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 63 || !is_alnum_lower(s[0]) || !is_alnum_lower(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum_lower(s[i]) && s[i] != '-')
			return false;
	return true;
}

bool co_spot_label_value(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0)
		return s != NULL;
	if (n > 63 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && !strchr("-_.", s[i]))
			return false;
	return true;
}

int co_spot_yaml_quote(co_buf *out, const char *s)
{
	int rc = co_buf_putc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; rc == 0 && *p;
	     p++) {
		switch (*p) {
		case '"': rc = co_buf_puts(out, "\\\""); break;
		case '\\': rc = co_buf_puts(out, "\\\\"); break;
		case '\n': rc = co_buf_puts(out, "\\n"); break;
		case '\t': rc = co_buf_puts(out, "\\t"); break;
		case '\r': rc = co_buf_puts(out, "\\r"); break;
		default:
			/* YAML forbids raw C0 controls and DEL in a
			 * double-quoted scalar; UTF-8 bytes pass through. */
			if (*p < 0x20 || *p == 0x7f)
				rc = co_buf_printf(out, "\\x%02x", *p);
			else
				rc = co_buf_putc(out, (char)*p);
		}
	}
	if (rc == 0)
		rc = co_buf_putc(out, '"');
	return rc;
}

const char *co_spot_ca_version(const char *kubernetes_version)
{
	if (!kubernetes_version)
		return NULL;
	/* "1.29", "1.29.3" or "v1.29": the minor decides. */
	const char *v = kubernetes_version[0] == 'v' ? kubernetes_version + 1
						      : kubernetes_version;
	const char *dot = strchr(v, '.');
	if (!dot)
		return NULL;
	const char *end = strchr(dot + 1, '.');
	size_t n = end ? (size_t)(end - v) : strlen(v);
	for (size_t i = 0; i < sizeof(ca_releases) / sizeof(ca_releases[0]);
	     i++)
		if (strlen(ca_releases[i].minor) == n &&
		    strncmp(ca_releases[i].minor, v, n) == 0)
			return ca_releases[i].release;
	return NULL;
}

/* ---- validation ---------------------------------------------------------- */

/* "N" (whole, >= 0) or "N%" (0-100). */
static bool min_available_ok(const char *s)
{
	char *end = NULL;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	long v = strtol(s, &end, 10);
	if (end == s)
		return false;
	if (*end == '\0')
		return v >= 0 && v <= 1000000;
	return end[0] == '%' && end[1] == '\0' && v >= 0 && v <= 100;
}

/* "1.29" or "1.29.x" numbers only. */
static bool k8s_version_ok(const char *s)
{
	int dots = 0;
	bool digit = false;
	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			digit = true;
		} else if (*p == '.' && digit) {
			dots++;
			digit = false;
		} else {
			return false;
		}
	}
	return digit && dots >= 1 && dots <= 2;
}

/* The minor of "1.29.5" must equal the cluster's "1.29". */
static bool same_minor(const char *ca, const char *k8s)
{
	const char *d1 = strchr(ca, '.'), *d2 = strchr(k8s, '.');
	if (!d1 || !d2)
		return false;
	size_t n1 = strcspn(d1 + 1, "."), n2 = strcspn(d2 + 1, ".");
	return (size_t)(d1 - ca) == (size_t)(d2 - k8s) &&
	       strncmp(ca, k8s, (size_t)(d1 - ca)) == 0 && n1 == n2 &&
	       strncmp(d1 + 1, d2 + 1, n1) == 0;
}

static void mf_validate(co_ctx *ctx, const co_value *config)
{
	const char *ns = co_value_str(co_value_attr(config, "namespace"));
	if (ns && !co_spot_dns1123_label(ns)) {
		co_path p = co_path_attr("namespace");
		co_diag_error(ctx->diags, &p, "Invalid namespace",
		    "\"%s\" is not a Kubernetes namespace name: a DNS-1123 "
		    "label, 1-63 lowercase letters, digits and '-', starting "
		    "and ending with a letter or digit.",
		    ns);
	}
	const char *app = co_value_str(co_value_attr(config, "app_label"));
	/* The budget is named <app>-pdb, so app must leave room for it. */
	if (app && (!co_spot_dns1123_label(app) || strlen(app) > 59)) {
		co_path p = co_path_attr("app_label");
		co_diag_error(ctx->diags, &p, "Invalid app label",
		    "\"%s\" must be a DNS-1123 label of at most 59 characters "
		    "(lowercase letters, digits and '-', starting and ending "
		    "with a letter or digit), since the budget is named "
		    "\"<app_label>-pdb\".",
		    app);
	}
	const char *cluster = co_value_str(co_value_attr(config, "cluster_name"));
	if (cluster) {
		bool ok = *cluster && strlen(cluster) <= 100 && is_alnum(cluster[0]);
		for (const char *p = cluster; ok && *p; p++)
			ok = is_alnum(*p) || *p == '-' || *p == '_';
		if (!ok) {
			co_path p = co_path_attr("cluster_name");
			co_diag_error(ctx->diags, &p, "Invalid cluster name",
			    "\"%s\" is not an EKS cluster name: 1-100 letters, "
			    "digits, '-' and '_', starting with a letter or "
			    "digit.",
			    cluster);
		}
	}
	const char *min = co_value_str(co_value_attr(config, "min_available"));
	if (min && !min_available_ok(min)) {
		co_path p = co_path_attr("min_available");
		co_diag_error(ctx->diags, &p, "Invalid min_available",
		    "\"%s\" is neither a whole number of pods (e.g. 1) nor a "
		    "percentage from 0%% to 100%% (e.g. \"50%%\").",
		    min);
	}
	const char *k8s = co_value_str(co_value_attr(config, "kubernetes_version"));
	const co_value *cav = co_value_attr(config, "cluster_autoscaler_version");
	const char *ca = co_value_str(cav);
	co_path kp = co_path_attr("kubernetes_version");
	if (k8s && !k8s_version_ok(k8s)) {
		co_diag_error(ctx->diags, &kp, "Invalid Kubernetes version",
		    "\"%s\" is not a Kubernetes version; write major.minor, "
		    "e.g. \"1.29\".",
		    k8s);
	} else if (k8s && cav && !cav->is_unknown && !ca &&
		   !co_spot_ca_version(k8s)) {
		co_diag_error(ctx->diags, &kp,
		    "No known Cluster Autoscaler release",
		    "costops knows Cluster Autoscaler releases for Kubernetes "
		    "1.23 to 1.34, not %s. Set cluster_autoscaler_version to "
		    "a release of the same minor (see "
		    "github.com/kubernetes/autoscaler/releases).",
		    k8s);
	}
	if (ca) {
		co_path p = co_path_attr("cluster_autoscaler_version");
		if (!k8s_version_ok(ca) || strchr(ca, '.') == strrchr(ca, '.'))
			co_diag_error(ctx->diags, &p, "Invalid version",
			    "\"%s\" is not a release number; write "
			    "major.minor.patch, e.g. \"1.29.5\".",
			    ca);
		else if (k8s && k8s_version_ok(k8s) && !same_minor(ca, k8s))
			co_diag_error(ctx->diags, &p,
			    "Autoscaler does not match the cluster",
			    "Cluster Autoscaler %s is for another Kubernetes "
			    "minor than %s; the project supports only the "
			    "matching minor (it simulates that scheduler).",
			    ca, k8s);
	}
	const char *role = co_value_str(co_value_attr(config, "autoscaler_role_arn"));
	if (role && (strncmp(role, "arn:", 4) != 0 || !strstr(role, ":role/"))) {
		co_path p = co_path_attr("autoscaler_role_arn");
		co_diag_error(ctx->diags, &p, "Not an IAM role ARN",
		    "\"%s\" is not an IAM role ARN "
		    "(arn:aws:iam::<account>:role/<name>).",
		    role);
	}
}

/* ---- rendering ------------------------------------------------------------ */

static void put_kv(co_buf *b, const char *indent, const char *key,
    const char *value)
{
	co_buf_printf(b, "%s%s: ", indent, key);
	co_spot_yaml_quote(b, value);
	co_buf_putc(b, '\n');
}

static void put_labels(co_buf *b, const char *indent)
{
	co_buf_printf(b, "%slabels:\n", indent);
	co_buf_printf(b, "%s  k8s-addon: cluster-autoscaler.addons.k8s.io\n",
	    indent);
	co_buf_printf(b, "%s  k8s-app: cluster-autoscaler\n", indent);
	co_buf_printf(b, "%s  app.kubernetes.io/managed-by: costops\n", indent);
}

static void render_pdb(co_arena *a, co_buf *b, const char *ns,
    const char *app, const char *min)
{
	co_buf_puts(b, "apiVersion: policy/v1\nkind: PodDisruptionBudget\n"
		       "metadata:\n");
	co_buf_puts(b, "  name: ");
	co_spot_yaml_quote(b, co_arena_sprintf(a, "%s-pdb", app));
	co_buf_putc(b, '\n');
	put_kv(b, "  ", "namespace", ns);
	co_buf_puts(b, "  labels:\n");
	put_kv(b, "    ", "app", app);
	co_buf_puts(b, "    app.kubernetes.io/managed-by: costops\n");
	co_buf_puts(b, "spec:\n");
	/* An integer stays an integer; a percentage must be a string
	 * (IntOrString). */
	if (strchr(min, '%')) {
		co_buf_puts(b, "  minAvailable: ");
		co_spot_yaml_quote(b, min);
		co_buf_putc(b, '\n');
	} else {
		co_buf_printf(b, "  minAvailable: %ld\n", strtol(min, NULL, 10));
	}
	co_buf_puts(b, "  selector:\n    matchLabels:\n");
	put_kv(b, "      ", "app", app);
}

/* RBAC as in the autoscaler project's AWS example
 * (cluster-autoscaler/cloudprovider/aws/examples/
 * cluster-autoscaler-autodiscover.yaml): what CA reads to simulate
 * scheduling, plus evictions, node updates, its status ConfigMap and its
 * leader-election lease. */
static const char ca_cluster_rules[] =
    "rules:\n"
    "  - apiGroups: [\"\"]\n"
    "    resources: [\"events\", \"endpoints\"]\n"
    "    verbs: [\"create\", \"patch\"]\n"
    "  - apiGroups: [\"\"]\n"
    "    resources: [\"pods/eviction\"]\n"
    "    verbs: [\"create\"]\n"
    "  - apiGroups: [\"\"]\n"
    "    resources: [\"pods/status\"]\n"
    "    verbs: [\"update\"]\n"
    "  - apiGroups: [\"\"]\n"
    "    resources: [\"endpoints\"]\n"
    "    resourceNames: [\"cluster-autoscaler\"]\n"
    "    verbs: [\"get\", \"update\"]\n"
    "  - apiGroups: [\"\"]\n"
    "    resources: [\"nodes\"]\n"
    "    verbs: [\"watch\", \"list\", \"get\", \"update\"]\n"
    "  - apiGroups: [\"\"]\n"
    "    resources: [\"namespaces\", \"pods\", \"services\", "
    "\"replicationcontrollers\", \"persistentvolumeclaims\", "
    "\"persistentvolumes\"]\n"
    "    verbs: [\"watch\", \"list\", \"get\"]\n"
    "  - apiGroups: [\"extensions\"]\n"
    "    resources: [\"replicasets\", \"daemonsets\"]\n"
    "    verbs: [\"watch\", \"list\", \"get\"]\n"
    "  - apiGroups: [\"policy\"]\n"
    "    resources: [\"poddisruptionbudgets\"]\n"
    "    verbs: [\"watch\", \"list\"]\n"
    "  - apiGroups: [\"apps\"]\n"
    "    resources: [\"statefulsets\", \"replicasets\", \"daemonsets\"]\n"
    "    verbs: [\"watch\", \"list\", \"get\"]\n"
    "  - apiGroups: [\"storage.k8s.io\"]\n"
    "    resources: [\"storageclasses\", \"csinodes\", \"csidrivers\", "
    "\"csistoragecapacities\"]\n"
    "    verbs: [\"watch\", \"list\", \"get\"]\n"
    "  - apiGroups: [\"batch\", \"extensions\"]\n"
    "    resources: [\"jobs\"]\n"
    "    verbs: [\"get\", \"list\", \"watch\", \"patch\"]\n"
    "  - apiGroups: [\"coordination.k8s.io\"]\n"
    "    resources: [\"leases\"]\n"
    "    verbs: [\"create\"]\n"
    "  - apiGroups: [\"coordination.k8s.io\"]\n"
    "    resourceNames: [\"cluster-autoscaler\"]\n"
    "    resources: [\"leases\"]\n"
    "    verbs: [\"get\", \"update\"]\n";

static const char ca_role_rules[] =
    "rules:\n"
    "  - apiGroups: [\"\"]\n"
    "    resources: [\"configmaps\"]\n"
    "    verbs: [\"create\", \"list\", \"watch\"]\n"
    "  - apiGroups: [\"\"]\n"
    "    resources: [\"configmaps\"]\n"
    "    resourceNames: [\"cluster-autoscaler-status\", "
    "\"cluster-autoscaler-priority-expander\"]\n"
    "    verbs: [\"delete\", \"get\", \"update\", \"watch\"]\n";

static void render_binding(co_buf *b, const char *kind, const char *role_kind,
    bool namespaced)
{
	co_buf_printf(b, "---\napiVersion: rbac.authorization.k8s.io/v1\n"
			 "kind: %s\nmetadata:\n  name: cluster-autoscaler\n",
	    kind);
	if (namespaced)
		co_buf_puts(b, "  namespace: kube-system\n");
	put_labels(b, "  ");
	co_buf_printf(b, "roleRef:\n  apiGroup: rbac.authorization.k8s.io\n"
			 "  kind: %s\n  name: cluster-autoscaler\n"
			 "subjects:\n  - kind: ServiceAccount\n"
			 "    name: cluster-autoscaler\n"
			 "    namespace: kube-system\n",
	    role_kind);
}

static void render_ca(co_arena *a, co_buf *b, const char *cluster,
    const char *region, const char *role_arn, const char *image)
{
	co_buf_puts(b, "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n"
		       "  name: cluster-autoscaler\n  namespace: kube-system\n");
	put_labels(b, "  ");
	if (role_arn) {
		co_buf_puts(b, "  annotations:\n");
		put_kv(b, "    ", "eks.amazonaws.com/role-arn", role_arn);
	}
	co_buf_puts(b, "---\napiVersion: rbac.authorization.k8s.io/v1\n"
		       "kind: ClusterRole\nmetadata:\n"
		       "  name: cluster-autoscaler\n");
	put_labels(b, "  ");
	co_buf_puts(b, ca_cluster_rules);
	co_buf_puts(b, "---\napiVersion: rbac.authorization.k8s.io/v1\n"
		       "kind: Role\nmetadata:\n  name: cluster-autoscaler\n"
		       "  namespace: kube-system\n");
	put_labels(b, "  ");
	co_buf_puts(b, ca_role_rules);
	render_binding(b, "ClusterRoleBinding", "ClusterRole", false);
	render_binding(b, "RoleBinding", "Role", true);

	co_buf_puts(b, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
		       "  name: cluster-autoscaler\n  namespace: kube-system\n"
		       "  labels:\n    app: cluster-autoscaler\n"
		       "    app.kubernetes.io/managed-by: costops\n"
		       "spec:\n  replicas: 1\n  selector:\n    matchLabels:\n"
		       "      app: cluster-autoscaler\n  template:\n"
		       "    metadata:\n      labels:\n"
		       "        app: cluster-autoscaler\n      annotations:\n"
		       /* CA must not evict itself off a node it removes. */
		       "        cluster-autoscaler.kubernetes.io/safe-to-evict: "
		       "\"false\"\n"
		       "        prometheus.io/scrape: \"true\"\n"
		       "        prometheus.io/port: \"8085\"\n"
		       "    spec:\n"
		       "      priorityClassName: system-cluster-critical\n"
		       "      serviceAccountName: cluster-autoscaler\n"
		       "      securityContext:\n        runAsNonRoot: true\n"
		       "        runAsUser: 65534\n        fsGroup: 65534\n"
		       "      nodeSelector:\n        kubernetes.io/os: linux\n"
		       "      containers:\n        - name: cluster-autoscaler\n");
	put_kv(b, "          ", "image", image);
	co_buf_puts(b, "          imagePullPolicy: IfNotPresent\n"
		       "          resources:\n            limits:\n"
		       "              cpu: 100m\n              memory: 600Mi\n"
		       "            requests:\n              cpu: 100m\n"
		       "              memory: 600Mi\n"
		       "          command:\n"
		       "            - ./cluster-autoscaler\n"
		       "            - --v=4\n"
		       "            - --stderrthreshold=info\n"
		       "            - --cloud-provider=aws\n"
		       "            - --skip-nodes-with-local-storage=false\n"
		       "            - --skip-nodes-with-system-pods=false\n"
		       "            - --expander=least-waste\n"
		       "            - --balance-similar-node-groups\n"
		       "            - ");
	co_spot_yaml_quote(b,
	    co_arena_sprintf(a,
		"--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/"
		"enabled,k8s.io/cluster-autoscaler/%s",
		cluster));
	co_buf_puts(b, "\n          env:\n            - name: AWS_REGION\n");
	put_kv(b, "              ", "value", region);
	/* Amazon Linux nodes keep the CA bundle at ca-bundle.crt. */
	co_buf_puts(b, "          volumeMounts:\n            - name: ssl-certs\n"
		       "              mountPath: /etc/ssl/certs/ca-certificates.crt\n"
		       "              readOnly: true\n"
		       "      volumes:\n        - name: ssl-certs\n"
		       "          hostPath:\n"
		       "            path: /etc/ssl/certs/ca-bundle.crt\n");
}

static int mf_read(co_ctx *ctx, const co_value *config, co_value **state)
{
	co_arena *a = ctx->arena;
	int rc = -1;
	co_buf pdb, ca;
	co_buf_init(&pdb, YAML_CAP);
	co_buf_init(&ca, YAML_CAP);
	const char *cluster = co_value_str(co_value_attr(config, "cluster_name"));
	const char *ns = co_value_str(co_value_attr(config, "namespace"));
	const char *app = co_value_str(co_value_attr(config, "app_label"));
	const char *min = co_value_str(co_value_attr(config, "min_available"));
	const char *k8s = co_value_str(co_value_attr(config, "kubernetes_version"));
	const char *region = co_value_str(co_value_attr(config, "region"));
	const char *role = co_value_str(co_value_attr(config, "autoscaler_role_arn"));
	const char *version =
	    co_value_str(co_value_attr(config, "cluster_autoscaler_version"));
	if (!version)
		version = co_spot_ca_version(k8s);
	if (!region && ctx->provider && ctx->provider->aws)
		region = co_aws_client_region(ctx->provider->aws);
	if (!cluster || !ns || !app || !min || !k8s || !version) {
		co_diag_error(ctx->diags, NULL, "Incomplete configuration",
		    "cluster_name, namespace, app_label, min_available and a "
		    "kubernetes_version with a known Cluster Autoscaler "
		    "release are needed.");
		goto done;
	}
	if (!region || !*region) {
		co_path p = co_path_attr("region");
		co_diag_error(ctx->diags, &p, "No region",
		    "Set region, or configure the provider's region, so the "
		    "autoscaler knows where its Auto Scaling groups are.");
		goto done;
	}
	const char *image = co_arena_sprintf(a, "%s:v%s", CA_IMAGE_REPO, version);
	render_pdb(a, &pdb, ns, app, min);
	render_ca(a, &ca, cluster, region, role, image);
	if (pdb.len >= pdb.limit || ca.len >= ca.limit) {
		co_diag_error(ctx->diags, NULL, "Manifest too large",
		    "The generated YAML exceeded %zu bytes.", (size_t)YAML_CAP);
		goto done;
	}
	co_value *s = co_value_copy(a, config);
	co_value_set_attr(s, "cluster_autoscaler_version",
	    co_value_string(a, version));
	co_value_set_attr(s, "cluster_autoscaler_image", co_value_string(a, image));
	co_value_set_attr(s, "pdb_yaml", co_value_string(a, co_buf_cstr(&pdb)));
	co_value_set_attr(s, "cluster_autoscaler_yaml",
	    co_value_string(a, co_buf_cstr(&ca)));
	*state = s;
	rc = 0;
done:
	co_buf_free(&pdb);
	co_buf_free(&ca);
	return rc;
}

const co_resource co_spot_interruption_manifests_data = {
	.type_name = "costops_spot_interruption_manifests",
	.schema = &schema,
	.is_data_source = true,
	.validate = mf_validate,
	.read_data = mf_read,
};
