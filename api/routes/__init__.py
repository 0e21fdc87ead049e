"""Thin HTTP routers over the services the CLI uses (api-contract.md); one module per area."""
