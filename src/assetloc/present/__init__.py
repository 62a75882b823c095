"""Reports: terminal tables (rich) and JSON."""
