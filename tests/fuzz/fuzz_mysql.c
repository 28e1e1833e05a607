/*
 * fuzz_mysql.c - libFuzzer target for the MySQL analyzer: one session,
 * scripted as fuzz_stream.h describes, fed the way the engine feeds it.
 */
#include "analyzers/analyzer.h"
#include "tests/fuzz/fuzz_stream.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_stream_run(&mysql_analyzer, APP_MYSQL, 3306, 0, data, size);
}
