# Writes prices.csv into a C source as one string, so the provider carries
# its catalog and never reads a file at run time.
# Usage: cmake -DIN=prices.csv -DOUT=co_prices_csv.c -DSYMBOL=co_cost_prices_csv -P embed.cmake
file(READ "${IN}" text)
string(REPLACE "\\" "\\\\" text "${text}")
string(REPLACE "\"" "\\\"" text "${text}")
string(REPLACE "\r" "" text "${text}")
string(REPLACE "\n" "\\n\"\n\t\"" text "${text}")
file(WRITE "${OUT}.tmp"
"/* Generated from provider/cost/prices.csv by provider/cost/embed.cmake;
 * edit the CSV, not this file. */
#include <stddef.h>

extern const char ${SYMBOL}[];
extern const size_t ${SYMBOL}_len;

const char ${SYMBOL}[] =
\t\"${text}\";
const size_t ${SYMBOL}_len = sizeof(${SYMBOL}) - 1;
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
