/* Routes one gRPC method to its tfplugin6 handler. */
#ifndef CO_DISPATCH_H
#define CO_DISPATCH_H

#include "grpc_server.h"

/* A co_rpc_handler: serves every /tfplugin6.Provider/ method and
 * /plugin.GRPCController/Shutdown; false for anything else. */
bool co_dispatch(const char *method, const uint8_t *req, size_t len,
    co_rpc_result *res);

#endif
