"""Reconciliation: one patient's sources (chart, radiograph findings, perio, dictations, plan,
diagnoses) compared by rules; each disagreement is a reviewer finding with the sources it rests on."""
