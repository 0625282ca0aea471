"""signing.render.report: a plain tagged PDF whose text can be read back."""

from __future__ import annotations

from datetime import UTC, datetime

from signing.render.report import Bullets, Facts, Grid, Heading, Paragraph, printable, report
from tests.support.pdf_text import pdf_catalog, pdf_text


def test_a_report_is_a_tagged_pdf_with_its_text():
    rows = tuple((f"{n} de mayo", "Registro Civil", "Nombre, correo") for n in range(1, 80))
    pdf = report(title="Registro de datos compartidos", language="es", author="Cédula",
                 subject="Agencias", created=datetime(2026, 12, 5, tzinfo=UTC),
                 page_label="Página {number} de {total}",
                 blocks=[Heading("Agencia"), Paragraph("Ministerio de Educación recibió sus datos."),
                         Facts((("Agencia", "Ministerio de Educación"),)), Bullets(("Nombre",)),
                         Grid(("Cuándo", "Agencia", "Datos"), rows, (0.3, 0.3, 0.4))])
    text = pdf_text(pdf)
    assert "Ministerio de Educación" in text and "Registro de datos compartidos" in text
    assert "Página 1 de 3" in text and "Página 3 de 3" in text
    root, _ = pdf_catalog(pdf)
    assert bool(root["/MarkInfo"]["/Marked"]) and str(root["/Lang"]) == "es"
    assert "/StructTreeRoot" in root


def test_characters_the_font_cannot_draw_are_replaced():
    assert printable("Agencia \U0001F600  X") == "Agencia ? X"
