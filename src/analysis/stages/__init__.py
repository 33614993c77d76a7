"""The pipeline's stages: clean, validate, analyse (each run by one notebook in ``notebooks/``)."""
