/* Credentials and region, resolved in the order the AWS SDKs use:
 *
 *   credentials: provider arguments (access_key + secret_key [+ token]);
 *                AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN];
 *                the profile in the shared credentials file, then in the
 *                shared config file.
 *   region:      provider argument; AWS_REGION; AWS_DEFAULT_REGION; the
 *                profile's `region` in the shared config file.
 *   profile:     provider argument; AWS_PROFILE; "default".
 *
 * Not supported (yet): SSO, assume-role chains (role_arn/source_profile),
 * credential_process, web identity, and the ECS/EC2 metadata endpoints.
 * A profile that only uses those is reported as having no static keys. */
#include "aws_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "../util/log.h"

/* Shared config files are small; anything larger is not one. */
#define INI_MAX_BYTES ((size_t)1 << 20)
#define INI_MAX_VALUE 4096

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static const char *nonempty_env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* The path in env var `var` (with a leading "~/" expanded), else
 * $HOME/<fallback>. NULL when neither can be formed. Caller frees. */
static char *shared_file_path(const char *var, const char *fallback)
{
	const char *v = nonempty_env(var);
	const char *home = nonempty_env("HOME");
	co_buf b;
	co_buf_init(&b, 4096);
	if (v && v[0] == '~' && v[1] == '/' && home)
		co_buf_printf(&b, "%s/%s", home, v + 2);
	else if (v)
		co_buf_puts(&b, v);
	else if (home)
		co_buf_printf(&b, "%s/%s", home, fallback);
	if (b.len == 0) {
		co_buf_free(&b);
		return NULL;
	}
	return b.data;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
		e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* The section header `[...]` as a profile name, or NULL when the section
 * is not a profile. The config file names profiles "[profile x]" (and
 * "[default]"); the credentials file names them "[x]". */
static const char *section_profile(char *inner, bool config_style)
{
	inner = trim(inner);
	if (!config_style)
		return inner;
	if (strcmp(inner, "default") == 0)
		return inner;
	if (strncmp(inner, "profile", 7) == 0 &&
	    (inner[7] == ' ' || inner[7] == '\t'))
		return trim(inner + 8);
	return NULL;
}

/* Looks up `key` in `profile` of an INI file. Returns 1 and a malloc'd
 * value in *out when found, 0 when not (or the file is absent), -1 when
 * the file cannot be read. *profile_seen tells whether the section exists. */
static int ini_lookup(char **out, bool *profile_seen, const char *path,
    bool config_style, const char *profile, const char *key)
{
	int rc = 0;
	char *data = NULL;
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	data = malloc(INI_MAX_BYTES + 1);
	if (!data) {
		rc = -1;
		goto done;
	}
	size_t n = fread(data, 1, INI_MAX_BYTES + 1, f);
	if (n > INI_MAX_BYTES || ferror(f)) {
		rc = -1;
		goto done;
	}
	data[n] = '\0';

	bool in_profile = false;
	char *line = data;
	while (line && *line) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *next = nl ? nl + 1 : NULL;
		/* An indented line continues a nested block (e.g. "s3 =" with
		 * sub-keys); none of the keys we read are nested. */
		bool indented = *line == ' ' || *line == '\t';
		char *l = trim(line);
		if (*l == '\0' || *l == '#' || *l == ';' || indented) {
			line = next;
			continue;
		}
		if (*l == '[') {
			char *close = strchr(l, ']');
			in_profile = false;
			if (close) {
				*close = '\0';
				const char *name = section_profile(l + 1,
				    config_style);
				in_profile = name && strcmp(name, profile) == 0;
				if (in_profile)
					*profile_seen = true;
			}
			line = next;
			continue;
		}
		char *eq = strchr(l, '=');
		if (in_profile && eq) {
			*eq = '\0';
			char *k = trim(l);
			char *v = trim(eq + 1);
			if (strcmp(k, key) == 0 && strlen(v) < INI_MAX_VALUE) {
				free(*out); /* the last one wins, as in botocore */
				*out = strdup(v);
				if (!*out) {
					rc = -1;
					goto done;
				}
				rc = 1;
			}
		}
		line = next;
	}
done:
	if (data) {
		/* The buffer held secret keys. */
		OPENSSL_cleanse(data, INI_MAX_BYTES + 1);
		free(data);
	}
	fclose(f);
	if (rc < 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

typedef struct {
	char *cred_path, *config_path;
	const char *profile;
	bool profile_seen;
} shared_files;

/* A key of the profile: the credentials file first, then the config file.
 * Returns 1 found in the credentials file, 2 found in the config file, 0
 * not found, -1 on a read error (err filled). */
static int profile_get(char **out, shared_files *sf, const char *key,
    bool config_only, co_buf *err)
{
	int rc = 0;
	*out = NULL;
	if (!config_only && sf->cred_path) {
		rc = ini_lookup(out, &sf->profile_seen, sf->cred_path, false,
		    sf->profile, key);
		if (rc < 0) {
			co_buf_printf(err, "Cannot read the shared credentials "
			    "file %s: %s.", sf->cred_path, strerror(errno));
			return -1;
		}
		if (rc == 1)
			return 1;
	}
	if (sf->config_path) {
		rc = ini_lookup(out, &sf->profile_seen, sf->config_path, true,
		    sf->profile, key);
		if (rc < 0) {
			co_buf_printf(err, "Cannot read the shared config file "
			    "%s: %s.", sf->config_path, strerror(errno));
			return -1;
		}
		if (rc == 1)
			return 2;
	}
	return rc;
}

int co_aws_identity_resolve(co_aws_identity *out, const co_aws_config *cfg,
    co_buf *err)
{
	int rc = -1;
	shared_files sf = {0};
	char *v = NULL;
	memset(out, 0, sizeof(*out));

	bool explicit_profile = cfg->profile && *cfg->profile;
	sf.profile = explicit_profile ? cfg->profile : nonempty_env("AWS_PROFILE");
	if (!sf.profile)
		sf.profile = "default";
	sf.cred_path = shared_file_path("AWS_SHARED_CREDENTIALS_FILE",
	    ".aws/credentials");
	sf.config_path = shared_file_path("AWS_CONFIG_FILE", ".aws/config");

	/* Credentials. */
	bool arg_ak = cfg->access_key && *cfg->access_key;
	bool arg_sk = cfg->secret_key && *cfg->secret_key;
	if (arg_ak != arg_sk) {
		co_buf_printf(err, "The provider block sets %s but not %s: set "
		    "both access_key and secret_key, or neither.",
		    arg_ak ? "access_key" : "secret_key",
		    arg_ak ? "secret_key" : "access_key");
		goto done;
	}
	const char *env_ak = nonempty_env("AWS_ACCESS_KEY_ID");
	const char *env_sk = nonempty_env("AWS_SECRET_ACCESS_KEY");
	if (arg_ak) {
		out->access_key = strdup(cfg->access_key);
		out->secret_key = strdup(cfg->secret_key);
		out->token = cfg->token && *cfg->token ? strdup(cfg->token) : NULL;
		snprintf(out->source, sizeof(out->source), "provider arguments");
	} else if (env_ak && env_sk && !explicit_profile) {
		out->access_key = strdup(env_ak);
		out->secret_key = strdup(env_sk);
		out->token = dup_or_null(nonempty_env("AWS_SESSION_TOKEN"));
		snprintf(out->source, sizeof(out->source), "environment");
	} else {
		/* A profile named in the provider block is a stronger signal
		 * than ambient variables, so they are skipped then, as
		 * terraform-provider-aws (aws-sdk-go-base) does. */
		if (env_ak && env_sk)
			co_warn("profile \"%s\" is set in the provider block: "
			    "using it instead of AWS_ACCESS_KEY_ID and "
			    "AWS_SECRET_ACCESS_KEY", sf.profile);
		int found = profile_get(&out->access_key, &sf,
		    "aws_access_key_id", false, err);
		if (found < 0)
			goto done;
		if (found > 0 && profile_get(&out->secret_key, &sf,
		    "aws_secret_access_key", false, err) < 0)
			goto done;
		if (found > 0 && profile_get(&out->token, &sf,
		    "aws_session_token", false, err) < 0)
			goto done;
		if (!out->access_key || !out->secret_key ||
		    !*out->access_key || !*out->secret_key) {
			if (explicit_profile && !sf.profile_seen)
				co_buf_printf(err, "The profile \"%s\" named in "
				    "the provider block is not in %s or %s.",
				    sf.profile,
				    sf.cred_path ? sf.cred_path : "~/.aws/credentials",
				    sf.config_path ? sf.config_path : "~/.aws/config");
			else
				co_buf_printf(err, "No AWS credentials found. "
				    "Set access_key and secret_key in the "
				    "provider block, or the AWS_ACCESS_KEY_ID "
				    "and AWS_SECRET_ACCESS_KEY environment "
				    "variables, or aws_access_key_id and "
				    "aws_secret_access_key in profile \"%s\" "
				    "of %s (AWS_SHARED_CREDENTIALS_FILE). SSO, "
				    "credential_process and instance metadata "
				    "are not supported.", sf.profile,
				    sf.cred_path ? sf.cred_path : "~/.aws/credentials");
			goto done;
		}
		snprintf(out->source, sizeof(out->source), "%s, profile %s",
		    found == 1 ? "shared credentials file" :
		    "shared config file", sf.profile);
	}
	if (!out->access_key || !out->secret_key) {
		co_buf_puts(err, "Out of memory while reading credentials.");
		goto done;
	}

	/* Region. */
	const char *r = cfg->region && *cfg->region ? cfg->region : NULL;
	if (!r)
		r = nonempty_env("AWS_REGION");
	if (!r)
		r = nonempty_env("AWS_DEFAULT_REGION");
	if (r) {
		out->region = strdup(r);
	} else {
		if (profile_get(&v, &sf, "region", true, err) < 0)
			goto done;
		if (v && *v) {
			out->region = v;
			v = NULL;
		}
	}
	if (!out->region) {
		co_buf_printf(err, "No AWS region set. Set region in the "
		    "provider block, or the AWS_REGION (or AWS_DEFAULT_REGION) "
		    "environment variable, or region in profile \"%s\" of %s "
		    "(AWS_CONFIG_FILE).", sf.profile,
		    sf.config_path ? sf.config_path : "~/.aws/config");
		goto done;
	}
	co_debug("AWS credentials from %s, region %s", out->source,
	    out->region);
	rc = 0;
done:
	free(v);
	free(sf.cred_path);
	free(sf.config_path);
	if (rc)
		co_aws_identity_clear(out);
	return rc;
}

static void free_secret(char *s)
{
	if (!s)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

void co_aws_identity_clear(co_aws_identity *id)
{
	if (!id)
		return;
	free(id->access_key);
	free_secret(id->secret_key);
	free_secret(id->token);
	free(id->region);
	memset(id, 0, sizeof(*id));
}
