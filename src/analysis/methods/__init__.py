"""Pure methods the analysis stage uses: SPC, forecasts, trajectories, benchmarks, suppression, calendars."""
