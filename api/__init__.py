"""The outside of the platform: FastAPI app, auth, reviewer UI and the command line."""
