"""Imaging review: radiographs in, AI findings proposed per tooth, confirmed findings on the chart.

Modules, one job each: ``decode`` (DICOM / PNG / JPEG / TIFF -> pixels, refusals), ``storage``
(content-addressed files and renderings), ``ingest`` (study / series / object rows),
``registry`` (models, versions, deployments), ``runners`` (one class per backend),
``teeth`` (tooth assignment), ``compare`` (against the current chart), ``chart_tool`` (the
clinical tools that write confirmed findings), ``review`` (review events, report),
``monitoring`` (acceptance rates, outcome links), ``phantom`` and ``test_model`` (synthetic
test data and a hand-built ONNX detector: they test the pipeline, not clinical accuracy).
"""
