/*
 * fuzz_pop3.c - libFuzzer target for the POP3 analyzer: one session,
 * scripted as fuzz_stream.h describes, fed the way the engine feeds it.
 */
#include "analyzers/analyzer.h"
#include "tests/fuzz/fuzz_stream.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_stream_run(&pop3_analyzer, APP_POP3, 110, 0, data, size);
}
