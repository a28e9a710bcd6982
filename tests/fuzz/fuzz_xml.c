/* Fuzz target for the XML DOM that parses every REST-XML and Query response
 * from AWS (untrusted): parse, then walk paths the resources use. */
#include <stdint.h>
#include <stdlib.h>

#include "aws/aws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t walk(const co_xml *x, int depth)
{
	size_t n = 0;
	for (const co_xml *c = x; c && depth < 128; c = c->next) {
		n += (c->name ? 1 : 0) + (c->text ? 1 : 0);
		n += walk(c->child, depth + 1);
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	co_xml *x = co_xml_parse((const char *)data, size);
	if (!x)
		return 0;
	(void)walk(x, 0);
	(void)co_xml_text(x, "GetCallerIdentityResult/Account");
	(void)co_xml_find(x, "Error/Code");
	(void)co_xml_text(x, "LifecycleConfiguration/Rule/Transition/Days");
	co_xml_free(x);
	return 0;
}
