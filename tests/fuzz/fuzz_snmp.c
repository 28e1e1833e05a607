/*
 * fuzz_snmp.c - libFuzzer target for the SNMP analyzer: datagrams both
 * ways, scripted as fuzz_stream.h describes, each chunk one datagram.
 */
#include "analyzers/analyzer.h"
#include "tests/fuzz/fuzz_stream.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_stream_run(&snmp_analyzer, APP_SNMP, 161, 1, data, size);
}
