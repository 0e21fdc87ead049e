"""The platform's graphs."""
