"""Typed tools the agents call; every call goes through ``tools.executor``."""
