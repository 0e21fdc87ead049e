"""Imaging limits and paths, from the environment (``DENTALAGENT_`` prefix like the core settings).

Kept apart from ``core_schema.settings`` so imaging can be tuned without touching the core;
read once per process like the core settings (tests clear the cache).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from core_schema.settings import get_settings


class ImagingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DENTALAGENT_", extra="ignore")

    max_image_bytes: int = Field(default=64 * 1024 * 1024, gt=0, description="Largest file accepted.")
    max_image_pixels: int = Field(default=40_000_000, gt=0, description="Largest width x height accepted.")
    thumbnail_px: int = Field(default=256, gt=16, description="Longest side of a thumbnail.")
    display_px: int = Field(default=2048, gt=64, description="Longest side of the display rendering.")
    default_threshold: float = Field(default=0.5, ge=0, le=1, description="Confidence to propose a finding "
                                     "when the model version names no threshold for its label.")


@lru_cache(maxsize=1)
def imaging_settings() -> ImagingSettings:
    return ImagingSettings()


def images_root() -> Path:
    """``$DENTALAGENT_HOME/images``: where originals and renderings live (like recordings)."""
    return Path(get_settings().home).expanduser().resolve() / "images"
