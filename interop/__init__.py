"""Interoperability: a patient's dental record as a FHIR R4 (R4B) Bundle, validated and stored."""
