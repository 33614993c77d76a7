"""Parts of the synthetic demonstration data generator; :mod:`analysis.demo_data` puts them together."""
