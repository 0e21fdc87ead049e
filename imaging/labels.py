"""The contract's finding labels and how each is written on the chart."""

from __future__ import annotations

LABELS: tuple[str, ...] = ("caries", "periapical_radiolucency", "calculus", "bone_loss", "restoration", "crown",
                           "root_canal_treated", "implant", "impacted", "missing")
# Where a confirmed finding goes in chart_json (tools.clinical.chart's model).
CONDITION_LABELS = frozenset({"caries", "periapical_radiolucency", "calculus", "bone_loss"})
RESTORATION_LABELS = frozenset({"restoration", "crown", "root_canal_treated"})
STATUS_LABELS = frozenset({"implant", "impacted", "missing"})
# Findings charted per surface; the others are whole-tooth findings.
SURFACE_LABELS = frozenset({"caries", "restoration", "calculus"})
# Reasons a reviewer gives for rejecting a finding (``approvals reject --reason CODE``).
REASON_CODES: tuple[str, ...] = ("false_positive", "wrong_tooth", "wrong_label", "wrong_surfaces",
                                 "already_treated", "image_quality", "not_clinically_relevant", "other")
