/*
 * fuzz_ldap.c - libFuzzer target for the LDAP analyzer: one session,
 * scripted as fuzz_stream.h describes, fed the way the engine feeds it.
 */
#include "analyzers/analyzer.h"
#include "tests/fuzz/fuzz_stream.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_stream_run(&ldap_analyzer, APP_LDAP, 389, 0, data, size);
}
