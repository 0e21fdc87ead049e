"""The clinical tools. ``import tools.clinical`` registers every one of them in ``tools.registry.REGISTRY``.

| tool | category | approval | tier | scope |
| --- | --- | --- | --- | --- |
| get_patient_history | DATA_RETRIEVAL | no | 1 | patients:read |
| get_dental_chart | DATA_RETRIEVAL | no | 1 | chart:read |
| update_dental_chart | DATA_MUTATION | yes | 3 | chart:write |
| record_perio_measurements | DATA_MUTATION | yes | 2 | chart:write |
| add_encounter_diagnosis | DATA_MUTATION | yes | 3 | chart:write |
| add_treatment_plan_item | DATA_MUTATION | yes | 3 | chart:write |
| create_clinical_note | DATA_MUTATION | yes | 2 | chart:write |
| record_procedure | DATA_MUTATION | yes | 2 | chart:write |
| move_treatment_plan_item | DATA_MUTATION | yes | 2 | chart:write |
| search_clinic_knowledge | DATA_RETRIEVAL | no | 1 | knowledge:read |
"""

from tools.clinical import chart, diagnosis, history, knowledge, notes, perio, plan, procedures  # noqa: F401  (registers the tools)

CLINICAL_TOOL_NAMES: tuple[str, ...] = (
    "get_patient_history",
    "get_dental_chart",
    "update_dental_chart",
    "record_perio_measurements",
    "add_encounter_diagnosis",
    "add_treatment_plan_item",
    "create_clinical_note",
    "record_procedure",
    "move_treatment_plan_item",
    "search_clinic_knowledge",
)
