"""Imports an unpacked artefact with a bare interpreter of the runtime's Python version.

Run as ``python3.X -S -E smoke.py <artefact-dir> <api|functions> [handlers...]``, each handler
as the template's ``Handler`` (``package.module.function``): ``-S -E`` keep every site-packages
and PYTHONPATH out, so an import only works if the artefact carries what it needs. Standard
library only: nothing else is on the path.

Handlers import their domain code lazily (``chalicelib.wiring``), so importing a handler proves
little about what its first request will import. Every shipped ``chalicelib`` module is
therefore imported too, except those that by design need the other artefact's libraries.
"""

from __future__ import annotations

import importlib
import io
import sys
import time
from pathlib import Path

# Modules that cannot load in an artefact, by design (prefixes of dotted names).
NOT_IMPORTABLE_IN = {
    # Chalice routes: only the API Lambda carries chalice.
    "functions": ("chalicelib.api",),
    # Image and PDF work: Pillow, zxing-cpp and reportlab are only in functions.zip.
    "api": ("chalicelib.imaging", "chalicelib.documents", "chalicelib.services.document_rendering"),
}


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


def _pdf_roundtrip() -> str:
    """A PDF with an embedded Pillow image (reportlab), as render_documents writes them."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(72, 720, "photojobs smoke")
    canvas.drawImage(ImageReader(Image.new("RGB", (64, 64), "white")), 72, 600, 64, 64)
    canvas.save()
    if not out.getvalue().startswith(b"%PDF-"):
        raise SystemExit("reportlab wrote no PDF")
    return f"PDF via reportlab + Pillow ok ({len(out.getvalue())} bytes)"


def _bundled_fonts(artefact: str) -> str:
    """The PDFs' fonts load from the artefact itself (Lambda has none of its own)."""
    from chalicelib.documents.fonts import FONT_FILES, font_path, fonts

    root = Path(artefact).resolve()
    for file_name in FONT_FILES.values():
        path = font_path(file_name)
        if path is None or root not in path.resolve().parents:
            raise SystemExit(f"font {file_name} is not in the artefact (found: {path})")
    if not fonts().unicode:
        raise SystemExit("the bundled fonts did not register")
    return f"{len(FONT_FILES)} DejaVu fonts load from the artefact"


def _import_all(artefact: str, kind: str) -> str:
    """Import every chalicelib module the artefact ships, minus NOT_IMPORTABLE_IN[kind]."""
    skipped = NOT_IMPORTABLE_IN[kind]
    failed: list[str] = []
    imported = 0
    began = time.perf_counter()
    for path in sorted((Path(artefact) / "chalicelib").rglob("*.py")):
        parts = path.relative_to(artefact).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if module.startswith(skipped):
            continue
        try:
            importlib.import_module(module)
        except Exception as error:  # every failure is reported, then exit 1
            failed.append(f"  {module}: {type(error).__name__}: {error}")
        else:
            imported += 1
    if failed:
        raise SystemExit(
            f"{len(failed)} chalicelib module(s) do not import in the {kind} artefact "
            "(a handler would fail when it first needs them):\n" + "\n".join(failed)
        )
    elapsed = time.perf_counter() - began
    return f"{imported} chalicelib modules imported in {elapsed:.2f}s (not: {', '.join(skipped)})"


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
    print(_import_all(artefact, kind))
    if kind == "functions":
        print(_functions_native_roundtrip())
        print(_pdf_roundtrip())
        print(_bundled_fonts(artefact))
    else:
        import cryptography.hazmat.bindings._rust  # noqa: F401 - the native part of PyJWT[crypto]
        import jwt

        token = jwt.encode({"sub": "smoke"}, "k" * 32, algorithm="HS256")
        assert jwt.decode(token, "k" * 32, algorithms=["HS256"])["sub"] == "smoke"
        print("PyJWT + cryptography import ok")
    print(f"{len(handlers)} handler(s) imported on Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
