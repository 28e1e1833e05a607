/*
 * fuzz_socks.c - libFuzzer target for the SOCKS proxy analyzer: one session,
 * scripted as fuzz_stream.h describes, fed the way the engine feeds it.
 */
#include "analyzers/analyzer.h"
#include "tests/fuzz/fuzz_stream.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_stream_run(&socks_analyzer, APP_SOCKS, 1080, 0, data, size);
}
