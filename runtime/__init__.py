"""The process composition: the engine with every slice's graph (``process``), the worker and its
timers (``worker``, ``worker_loop``), runs and recovery (``runs``), and the platform's own status,
migrations and demo data (``platform``, ``status``). Nothing below this package imports it."""
