"""The products: each module only presents the analysis stage's tables as words, tables and charts."""
