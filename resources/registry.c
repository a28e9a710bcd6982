/* Every resource and data source costops serves, from registry.def. */
#include "provider/framework/framework.h"

#define CO_REGISTER(sym) extern const co_resource sym;
#include "registry.def"
#undef CO_REGISTER

#define CO_REGISTER(sym) &sym,
const co_resource *const co_registry[] = {
#include "registry.def"
	NULL,
};
#undef CO_REGISTER
