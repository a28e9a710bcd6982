/* terraform-provider-costops: the go-plugin handshake, then serve tfplugin6
 * over gRPC with mutual TLS until the CLI says Shutdown. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "framework/framework.h"
#include "runtime/dispatch.h"
#include "runtime/grpc_server.h"
#include "runtime/tls.h"
#include "util/log.h"

#define MAGIC_COOKIE_KEY "TF_PLUGIN_MAGIC_COOKIE"
#define MAGIC_COOKIE_VALUE \
	"d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"

static bool offers_protocol_6(const char *versions)
{
	/* "5,6" or "6,5": the order is Go map order, i.e. random. */
	if (!versions || !*versions)
		return true; /* old clients do not send it */
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", versions);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save))
		if (atoi(t) == 6)
			return true;
	return false;
}

static int socket_path(char *out, size_t cap)
{
	const char *dir = getenv("PLUGIN_UNIX_SOCKET_DIR");
	if (!dir || !*dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	unsigned char rnd[6];
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -1;
	int n = snprintf(out, cap, "%s/costops-%d-%02x%02x%02x%02x%02x%02x.sock",
	    dir, (int)getpid(), rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
	/* sun_path is 108 bytes; '|' would break the handshake line. */
	if (n < 0 || (size_t)n >= cap || n >= 104 || strchr(out, '|'))
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	/* No OpenSSL clean-up at exit: gRPC's threads keep per-thread OpenSSL
	 * error queues that are freed when those threads end, and OpenSSL
	 * 3.0's atexit clean-up frees them again (a double free seen under
	 * ASan). The process is ending; the kernel reclaims everything. Must
	 * come before any other OpenSSL call. */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);

	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("terraform-provider-costops %s\n", COSTOPS_VERSION);
		return 0;
	}
	const char *cookie = getenv(MAGIC_COOKIE_KEY);
	if (!cookie || strcmp(cookie, MAGIC_COOKIE_VALUE) != 0) {
		fputs("This binary is a plugin. These are not meant to be "
		      "executed directly.\nPlease execute the program that "
		      "consumes these plugins, which will\nload any plugins "
		      "automatically\n",
		    stderr);
		return 1;
	}
	/* The terminal sends SIGINT to the whole process group; the CLI
	 * handles it and calls StopProvider. */
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	co_log_init();

	if (!offers_protocol_6(getenv("PLUGIN_PROTOCOL_VERSIONS"))) {
		fprintf(stderr, "costops speaks plugin protocol 6 only; this "
				"CLI offers %s. Use Terraform >= 1.0 or "
				"OpenTofu.\n",
		    getenv("PLUGIN_PROTOCOL_VERSIONS"));
		return 1;
	}
	if (co_fw_check_schemas() < 0)
		return 1;

	const char *client_cert = getenv("PLUGIN_CLIENT_CERT");
	if (client_cert && !*client_cert)
		client_cert = NULL;
	co_tls_identity id = {0};
	if (client_cert && co_tls_identity_new(&id) < 0)
		return 1;

	char path[128], address[160];
	if (socket_path(path, sizeof(path)) < 0) {
		fputs("costops: no usable socket path (TMPDIR too long?)\n",
		    stderr);
		return 1;
	}
	snprintf(address, sizeof(address), "unix:%s", path);

	co_grpc_options opts = {
	    .address = address,
	    .client_ca_pem = client_cert,
	    .server_key_pem = id.key_pem,
	    .server_cert_pem = id.cert_pem,
	    .handler = co_dispatch,
	};
	co_grpc_server *server = NULL;
	if (co_grpc_server_start(&server, &opts) < 0) {
		co_tls_identity_free(&id);
		return 1;
	}
	/* The one line on stdout, only once we listen, then flush: stdout is
	 * a pipe and fully buffered. */
	printf("1|6|unix|%s|grpc|%s\n", path,
	    client_cert ? id.cert_der_b64 : "");
	fflush(stdout);
	co_debug("serving on %s (mTLS %s)", path, client_cert ? "on" : "off");

	co_grpc_server_wait(server);
	bool idle = co_grpc_server_idle(server);
	co_grpc_server_free(server);
	if (idle) {
		co_fw_provider_shutdown();
	} else {
		/* A call is still running (the CLI is going away mid-apply):
		 * cancel its AWS work and leave the provider to process exit
		 * rather than free it under that thread. */
		co_fw_provider_stop();
		co_warn("exiting with a call still running");
	}
	co_tls_identity_free(&id);
	unlink(path);
	co_debug("exiting");
	return 0;
}
