"""Who acts, in which clinic: actor lookup by email and tenant resolution."""
