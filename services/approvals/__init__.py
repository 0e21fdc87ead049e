"""The review queue: pending requests, decisions, timeouts and the Redis queues."""
