"""Imports an unpacked artefact with a bare interpreter of the runtime's Python version.

Run as ``python3.X -S -E smoke.py <artefact-dir> <api|functions> [handlers...]``, each handler
as the template's ``Handler`` (``package.module.function``): ``-S -E`` keep every site-packages
and PYTHONPATH out, so an import only works if the artefact carries what it needs. Standard
library only: nothing else is on the path.
"""

from __future__ import annotations

import importlib
import io
import sys
import time


def _functions_native_roundtrip() -> str:
    """QR encode (zxing-cpp) -> JPEG (Pillow, libjpeg) -> decode (zxing-cpp)."""
    import zxingcpp
    from PIL import Image

    bitmap = zxingcpp.create_barcode("photojobs-smoke", zxingcpp.BarcodeFormat.QRCode)
    view = memoryview(bitmap.to_image(scale=8))  # type: ignore[arg-type]  # buffer protocol
    height, width = view.shape or (0, 0)
    image = Image.frombytes("L", (width, height), view.tobytes())
    jpeg = io.BytesIO()
    image.convert("RGB").save(jpeg, "JPEG", quality=85)
    jpeg.seek(0)
    decoded = [result.text for result in zxingcpp.read_barcodes(Image.open(jpeg))]
    if decoded != ["photojobs-smoke"]:
        raise SystemExit(f"QR round trip through Pillow failed: {decoded}")
    return "QR round trip via zxing-cpp + Pillow JPEG ok"


def main() -> None:
    artefact, kind, *handlers = sys.argv[1:]
    sys.path.insert(0, artefact)
    for handler in handlers:
        module, _, function = handler.rpartition(".")
        began = time.perf_counter()
        loaded = importlib.import_module(module)
        elapsed = time.perf_counter() - began
        if not callable(getattr(loaded, function, None)):
            raise SystemExit(f"{handler}: {module} has no callable {function}(event, context)")
        print(f"import {handler} {elapsed:.2f}s")
    if kind == "functions":
        print(_functions_native_roundtrip())
    else:
        import cryptography.hazmat.bindings._rust  # noqa: F401 - the native part of PyJWT[crypto]
        import jwt

        token = jwt.encode({"sub": "smoke"}, "k" * 32, algorithm="HS256")
        assert jwt.decode(token, "k" * 32, algorithms=["HS256"])["sub"] == "smoke"
        print("PyJWT + cryptography import ok")
    print(f"{len(handlers)} handler(s) imported on Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
