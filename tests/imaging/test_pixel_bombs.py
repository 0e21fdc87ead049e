"""Images that decode to absurd pixel counts are refused before decoding, with one clear line
(``image_too_large``, 413), never Pillow's or pydicom's own exception."""

from __future__ import annotations

import io

import numpy as np
import pytest

from imaging import phantom
from imaging.config import imaging_settings
from imaging.decode import decode
from imaging.errors import ImagingError
from tests.imaging.bombs import dicom_frames, png_bomb


@pytest.fixture
def pixel_cap(monkeypatch):
    """``pixel_cap(n)``: DENTALAGENT_MAX_IMAGE_PIXELS for this test."""
    def _set(limit: int) -> None:
        monkeypatch.setenv("DENTALAGENT_MAX_IMAGE_PIXELS", str(limit))
        imaging_settings.cache_clear()

    yield _set
    monkeypatch.delenv("DENTALAGENT_MAX_IMAGE_PIXELS", raising=False)
    imaging_settings.cache_clear()


def _refused(data: bytes, filename: str) -> ImagingError:
    with pytest.raises(ImagingError) as err:
        decode(data, filename)
    assert err.value.code == "image_too_large" and err.value.status == 413, err.value.message
    assert "too large in pixels" in err.value.message and filename in err.value.message
    return err.value


def test_png_bomb_is_refused_by_the_pixel_cap() -> None:
    bomb = png_bomb(20000)
    assert len(bomb) < 500_000
    error = _refused(bomb, "bomb.png")
    assert "400000000 pixels" in error.message and str(imaging_settings().max_image_pixels) in error.message
    # under Pillow's own guard, the cap is checked on the header's size, before decoding
    assert "9000x9000" in _refused(png_bomb(9000), "big.png").message


@pytest.mark.parametrize("side", [20000, 10000], ids=["pillow-error", "pillow-warning"])
def test_pillow_bomb_guard_is_an_error_even_when_the_cap_allows_more(pixel_cap, side) -> None:
    """Past Pillow's limit it raises (20000^2) or only warns (10000^2): both are refusals here."""
    pixel_cap(10**9)
    _refused(png_bomb(side), "bomb.png")


def test_dicom_frames_count_against_the_pixel_cap(pixel_cap) -> None:
    one = phantom.to_dicom(np.zeros((200, 200), dtype=np.uint8))
    pixel_cap(100_000)
    assert decode(one, "one.dcm").width == 200  # 40 000 pixels: under the cap
    error = _refused(dicom_frames(one, 4), "four.dcm")  # 160 000 pixels to decode: over it
    assert "4 frames of 200x200" in error.message


def test_dicom_rows_and_columns_are_refused_before_decoding(pixel_cap, monkeypatch) -> None:
    import pydicom

    one = phantom.to_dicom(np.zeros((200, 200), dtype=np.uint8))
    ds = pydicom.dcmread(io.BytesIO(one))
    ds.Rows = ds.Columns = 65535  # the header claims 4.3 G pixels; the data is 80 KB
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    monkeypatch.setattr(pydicom.dataset.Dataset, "pixel_array",
                        property(lambda self: pytest.fail("pixel data decoded past the cap")))
    assert "65535x65535" in _refused(buf.getvalue(), "huge.dcm").message


def test_the_bomb_is_a_real_png() -> None:
    from PIL import Image

    img = Image.open(io.BytesIO(png_bomb(2000, 1500)))
    img.load()
    assert img.size == (2000, 1500) and img.getextrema() == (0, 0)
