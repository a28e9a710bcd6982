/* costops_teardown: the Resource Groups Tagging API, for the types it
 * covers (S3 buckets, log groups, SageMaker endpoints and models). */
#include <stdlib.h>
#include <string.h>

#include "provider/util/log.h"
#include "resources/teardown.h"

/* GetResources for the given resource types (NULL-terminated) and the
 * selection's tag filter; *out maps each ARN to its tags as an object.
 * Never called without types: once a SageMaker endpoint config exists,
 * moto's GetResources fails with HTTP 500 for "sagemaker" or no filter
 * (moto-coverage.md §5.2), and a typeless call is an account-wide scan. */
int co_td_tagged(co_td_run *run, const char *const *types, json_t **out)
{
	int rc = -1;
	json_t *found = json_object();
	char *token = NULL;
	*out = NULL;
	if (!run->sel->n_filter) {
		/* No tag filter: tags select nothing. */
		*out = found;
		return 0;
	}
	json_t *filters = json_array();
	for (size_t i = 0; i < run->sel->n_filter; i++)
		json_array_append_new(filters,
		    json_pack("{s:s, s:[s]}", "Key", run->sel->filter[i].key,
			"Values", run->sel->filter[i].value));
	json_t *type_filters = json_array();
	for (size_t i = 0; types[i]; i++)
		json_array_append_new(type_filters, json_string(types[i]));
	int pages = 0;
	do {
		/* ResourcesPerPage is 1-100 (GetResources API reference). */
		json_t *req = json_pack("{s:O, s:O, s:i}", "TagFilters", filters,
		    "ResourceTypeFilters", type_filters, "ResourcesPerPage", 100);
		if (token) {
			json_object_set_new(req, "PaginationToken",
			    json_string(token));
			free(token);
			token = NULL;
		}
		json_t *resp = NULL;
		co_aws_error err = {0};
		int crc = co_aws_json_call(run->aws, "resourcegroupstaggingapi",
		    "ResourceGroupsTaggingAPI_20170126.GetResources", req, &resp,
		    &err);
		json_decref(req);
		if (crc < 0) {
			co_td_list_failed(run,
			    "Listing tagged resources (GetResources) failed", &err);
			goto done;
		}
		size_t i;
		json_t *m;
		json_array_foreach(json_object_get(resp, "ResourceTagMappingList"),
		    i, m)
		{
			const char *arn =
			    json_string_value(json_object_get(m, "ResourceARN"));
			if (arn)
				json_object_set_new(found, arn,
				    co_td_tags_object(json_object_get(m, "Tags")));
		}
		const char *next = json_string_value(
		    json_object_get(resp, "PaginationToken"));
		if (next && *next)
			token = strdup(next);
		json_decref(resp);
		if (++pages % 20 == 0)
			co_info("teardown: %d pages of tagged resources so far",
			    pages);
	} while (token);
	*out = found;
	found = NULL;
	rc = 0;
done:
	free(token);
	json_decref(filters);
	json_decref(type_filters);
	json_decref(found);
	return rc;
}
