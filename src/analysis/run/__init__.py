"""The runner: the steps of a quarter and of a month, staging, publication, kernels and rendering."""
