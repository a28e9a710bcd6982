/* The expat DOM: parsing real response shapes, path lookup, and refusing
 * malformed or hostile documents. Also co_aws_uri_encode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/aws.h"

static co_xml *parse(const char *s)
{
	return co_xml_parse(s, strlen(s));
}

static void test_list_objects(void **state)
{
	(void)state;
	co_xml *x = parse(
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
	    "  <Name>b</Name>\n"
	    "  <IsTruncated>false</IsTruncated>\n"
	    "  <CommonPrefixes><Prefix>logs/</Prefix></CommonPrefixes>\n"
	    "  <Contents><Key>a &amp; b.txt</Key><Size>3</Size></Contents>\n"
	    "  <Contents><Key>c.txt</Key><Size>10</Size></Contents>\n"
	    "</ListBucketResult>");
	assert_non_null(x);
	assert_string_equal(co_xml_text(x, "ListBucketResult/Name"), "b");
	assert_string_equal(co_xml_text(x, "ListBucketResult/Contents/Key"),
	    "a & b.txt");
	/* Whitespace between elements is not text. */
	assert_string_equal(co_xml_text(x, "ListBucketResult"), "");
	assert_null(co_xml_find(x, "ListBucketResult/Missing"));
	assert_null(co_xml_text(x, "Contents/Key")); /* not at the top */

	int n = 0;
	long total = 0;
	for (const co_xml *c = co_xml_find(x, "ListBucketResult/Contents"); c;
	     c = c->next)
		if (strcmp(c->name, "Contents") == 0) {
			n++;
			total += atol(co_xml_text(c, "Size"));
		}
	assert_int_equal(n, 2);
	assert_int_equal(total, 13);
	co_xml_free(x);
}

static void test_path_backtracks(void **state)
{
	(void)state;
	/* The first <Item> has no <Id>; the path must reach the second. */
	co_xml *x = parse("<R><Item><Name>n</Name></Item>"
			  "<Item><Id>  42 \n</Id></Item></R>");
	assert_non_null(x);
	assert_string_equal(co_xml_text(x, "R/Item/Id"), "42");
	co_xml_free(x);
}

static void test_namespace_prefix_and_mixed_text(void **state)
{
	(void)state;
	co_xml *x = parse("<s:Envelope xmlns:s=\"urn:x\"><s:Body>a<b>B</b>c"
			  "</s:Body></s:Envelope>");
	assert_non_null(x);
	assert_string_equal(co_xml_text(x, "Envelope/Body"), "ac");
	assert_string_equal(co_xml_text(x, "Envelope/Body/b"), "B");
	co_xml_free(x);
}

static void test_query_response(void **state)
{
	(void)state;
	co_xml *x = parse(
	    "<DescribeAutoScalingGroupsResponse xmlns=\"http://autoscaling."
	    "amazonaws.com/doc/2011-01-01/\"><DescribeAutoScalingGroupsResult>"
	    "<AutoScalingGroups><member><AutoScalingGroupName>asg-1"
	    "</AutoScalingGroupName><MinSize>1</MinSize></member>"
	    "</AutoScalingGroups></DescribeAutoScalingGroupsResult>"
	    "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
	    "</DescribeAutoScalingGroupsResponse>");
	assert_non_null(x);
	assert_string_equal(co_xml_text(x, "DescribeAutoScalingGroupsResponse/"
	    "DescribeAutoScalingGroupsResult/AutoScalingGroups/member/"
	    "AutoScalingGroupName"), "asg-1");
	assert_string_equal(co_xml_text(x, "DescribeAutoScalingGroupsResponse/"
	    "ResponseMetadata/RequestId"), "r-1");
	co_xml_free(x);
}

static void test_malformed(void **state)
{
	(void)state;
	assert_null(parse(""));
	assert_null(parse("not xml"));
	assert_null(parse("<a><b></a>"));
	assert_null(parse("<a>"));
	assert_null(co_xml_parse(NULL, 0));
	co_xml_free(NULL);
}

static void test_entities_refused(void **state)
{
	(void)state;
	assert_null(parse("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a "
			  "\"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
			  "<r>&b;</r>"));
}

static void test_depth_limit(void **state)
{
	(void)state;
	char *deep = malloc(100 * 7 + 1);
	char *p = deep;
	for (int i = 0; i < 100; i++)
		p += sprintf(p, "<a>");
	for (int i = 0; i < 100; i++)
		p += sprintf(p, "</a>");
	assert_null(co_xml_parse(deep, strlen(deep)));
	free(deep);
}

static void test_uri_encode(void **state)
{
	(void)state;
	co_buf b;
	co_buf_init(&b, 0);
	co_aws_uri_encode(&b, "arn:aws:eks:us-east-1:1:cluster/a b~._-", false);
	assert_string_equal(co_buf_cstr(&b),
	    "arn%3Aaws%3Aeks%3Aus-east-1%3A1%3Acluster%2Fa%20b~._-");
	co_buf_reset(&b);
	co_aws_uri_encode(&b, "/key/with space+\xc3\xa9", true);
	assert_string_equal(co_buf_cstr(&b), "/key/with%20space%2B%C3%A9");
	co_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_objects),
		cmocka_unit_test(test_path_backtracks),
		cmocka_unit_test(test_namespace_prefix_and_mixed_text),
		cmocka_unit_test(test_query_response),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_entities_refused),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_uri_encode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
