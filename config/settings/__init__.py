"""Settings modules: base (embedded local defaults), test and production."""
