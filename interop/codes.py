"""Code systems of the FHIR export: teeth (ISO 3950), surfaces (SNOMED CT and FDI), procedures (CDT).

Teeth are ISO 3950 (FDI two-digit) codes of HL7's tooth code system (the ``tooth`` value set of
FHIR R4). Each surface carries the HL7 FDI-surface code and, where one exists, the SNOMED CT
body structure of that surface; the incisal edge has no SNOMED coding here (only FDI ``I``), and
the palatal surface is coded as the lingual surface structure, of which it is the maxillary case.
"""

from __future__ import annotations

TOOTH_SYSTEM = "http://terminology.hl7.org/CodeSystem/ex-tooth"  # ISO 3950 codes (FHIR ValueSet/tooth)
FDI_SURFACE_SYSTEM = "http://terminology.hl7.org/CodeSystem/FDI-surface"
SNOMED = "http://snomed.info/sct"
CDT_SYSTEM = "http://www.ada.org/cdt"
ICD10CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
CHART_LABEL_SYSTEM = "urn:dentalagent:chart-label"  # the platform's own finding labels (tools.clinical.chart)
OBSERVATION_SYSTEM = "urn:dentalagent:observation"
UCUM = "http://unitsofmeasure.org"
ID_SYSTEM = "urn:dentalagent:id:"  # + kind: identifiers of the platform's rows (users, utterances, predictions)

# chart surface letter -> (SNOMED CT code, display) of the surface structure
SURFACE_SNOMED: dict[str, tuple[str, str]] = {
    "M": ("8483002", "Structure of mesial surface of tooth"),
    "D": ("90933009", "Structure of distal surface of tooth"),
    "O": ("83473006", "Structure of occlusal surface of tooth"),
    "L": ("72203008", "Structure of lingual surface of tooth"),
    "P": ("72203008", "Structure of lingual surface of tooth"),
    "B": ("62579006", "Structure of vestibular surface of tooth"),
    "F": ("62579006", "Structure of vestibular surface of tooth"),
}
# chart surface letter -> FDI-surface code (HL7): facial and buccal are B / V, palatal is lingual
SURFACE_FDI: dict[str, tuple[str, str]] = {
    "M": ("M", "Mesial"), "O": ("O", "Occlusal"), "I": ("I", "Incisal"), "D": ("D", "Distal"),
    "B": ("B", "Buccal"), "F": ("V", "Ventral"), "L": ("L", "Lingual"), "P": ("L", "Lingual"),
}
# chart labels with a SNOMED CT clinical finding
LABEL_SNOMED: dict[str, tuple[str, str]] = {
    "caries": ("80967001", "Dental caries"),
}
