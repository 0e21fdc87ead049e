"""Approvals: statuses, decisions (``decisions``), the Redis review queue (``queue``), the
graph steps that ask and apply (``steps``), the single-change graph (``chart_change``) and the
service both faces call (``service``)."""
