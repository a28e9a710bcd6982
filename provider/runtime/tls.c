#include "tls.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "../util/log.h"

static char *bio_to_string(BIO *b)
{
	char *data = NULL;
	long n = BIO_get_mem_data(b, &data);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

static int add_ext(X509 *cert, int nid, const char *value)
{
	X509V3_CTX v3;
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!ext)
		return -1;
	int ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

int co_tls_identity_new(co_tls_identity *out)
{
	int rc = -1;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	BIO *kb = NULL, *cb = NULL;
	BIGNUM *serial = NULL;
	unsigned char *der = NULL;
	memset(out, 0, sizeof(*out));

	key = EVP_EC_gen("P-256");
	cert = X509_new();
	serial = BN_new();
	if (!key || !cert || !serial)
		goto done;
	/* A positive 127-bit serial: Go rejects negative serials. */
	if (!BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)))
		goto done;
	if (!X509_set_version(cert, 2) ||
	    !X509_gmtime_adj(X509_getm_notBefore(cert), -30) ||
	    !X509_gmtime_adj(X509_getm_notAfter(cert), 60L * 60 * 24 * 365) ||
	    !X509_set_pubkey(cert, key))
		goto done;
	X509_NAME *name = X509_get_subject_name(cert);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
		(const unsigned char *)"HashiCorp", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
		(const unsigned char *)"localhost", -1, -1, 0) ||
	    !X509_set_issuer_name(cert, name))
		goto done;
	if (add_ext(cert, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
	    add_ext(cert, NID_key_usage,
		"critical,digitalSignature,keyEncipherment,keyAgreement,"
		"keyCertSign") < 0 ||
	    add_ext(cert, NID_ext_key_usage, "serverAuth,clientAuth") < 0 ||
	    add_ext(cert, NID_subject_alt_name, "DNS:localhost") < 0)
		goto done;
	if (!X509_sign(cert, key, EVP_sha256()))
		goto done;

	kb = BIO_new(BIO_s_mem());
	cb = BIO_new(BIO_s_mem());
	if (!kb || !cb ||
	    !PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_X509(cb, cert))
		goto done;
	out->key_pem = bio_to_string(kb);
	out->cert_pem = bio_to_string(cb);

	int der_len = i2d_X509(cert, &der);
	if (der_len <= 0)
		goto done;
	size_t b64_cap = 4 * (((size_t)der_len + 2) / 3) + 1;
	out->cert_der_b64 = malloc(b64_cap);
	if (!out->key_pem || !out->cert_pem || !out->cert_der_b64)
		goto done;
	int n = EVP_EncodeBlock((unsigned char *)out->cert_der_b64, der,
	    der_len);
	/* go-plugin decodes with RawStdEncoding, which rejects '='. */
	while (n > 0 && out->cert_der_b64[n - 1] == '=')
		n--;
	out->cert_der_b64[n] = '\0';
	rc = 0;
done:
	if (rc < 0) {
		char msg[256];
		ERR_error_string_n(ERR_get_error(), msg, sizeof(msg));
		co_error("making the TLS certificate failed: %s", msg);
		co_tls_identity_free(out);
	}
	OPENSSL_free(der);
	BN_free(serial);
	BIO_free(kb);
	BIO_free(cb);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

void co_tls_identity_free(co_tls_identity *id)
{
	if (!id)
		return;
	if (id->key_pem) {
		OPENSSL_cleanse(id->key_pem, strlen(id->key_pem));
		free(id->key_pem);
	}
	free(id->cert_pem);
	free(id->cert_der_b64);
	memset(id, 0, sizeof(*id));
}
