"""Imaging for the HTTP face: a patient's radiographs, their renderings, review runs and uploads."""
