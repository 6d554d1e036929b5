int lzma_version(void) { return 50601; }
