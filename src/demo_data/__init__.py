"""Parts of the synthetic demonstration data generator; :mod:`demo_data.generate` puts them together."""
