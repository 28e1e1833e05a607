/*
 * fuzz_smtp.c - libFuzzer target for the SMTP analyzer: one session,
 * scripted as fuzz_stream.h describes, fed the way the engine feeds it.
 */
#include "analyzers/analyzer.h"
#include "tests/fuzz/fuzz_stream.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_stream_run(&smtp_analyzer, APP_SMTP, 25, 0, data, size);
}
