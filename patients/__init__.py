"""Patients of a clinic and their dental charts."""
