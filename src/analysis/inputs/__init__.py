"""The raw files as councils and DfE publish them: Annex A lists, EES files, tolerant parsing, pseudonyms."""
