/* The ephemeral server certificate of go-plugin's AutoMTLS. */
#ifndef CO_TLS_H
#define CO_TLS_H

typedef struct co_tls_identity {
	char *key_pem;     /* PKCS#8 PEM of the private key */
	char *cert_pem;    /* PEM certificate */
	char *cert_der_b64; /* base64 (standard alphabet, no '=' padding) of
			       the DER certificate, for the handshake line */
} co_tls_identity;

/* Makes an ECDSA P-256 key and a self-signed certificate as go-plugin's
 * client expects: CN and SAN DNS:localhost, CA:TRUE, key usage
 * digitalSignature/keyEncipherment/keyAgreement/keyCertSign, extended key
 * usage serverAuth/clientAuth, a positive random serial, NotBefore 30 s in
 * the past. 0, or -1 with an OpenSSL message logged. */
int co_tls_identity_new(co_tls_identity *out);
void co_tls_identity_free(co_tls_identity *id);

#endif
