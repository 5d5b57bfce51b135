"""A real, minimal PDF of an invoice (PDF 1.4, one page, Helvetica), built by hand."""

from __future__ import annotations

from typing import Any

from xeroadmin.sandbox.state import Org


def _escape(text: str) -> str:
    safe = text.encode("latin-1", "replace").decode("latin-1")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


TITLES = {
    "ACCREC": "TAX INVOICE",
    "ACCPAY": "BILL",
    "ACCRECCREDIT": "CREDIT NOTE",
    "ACCPAYCREDIT": "CREDIT NOTE",
    "QUOTE": "QUOTE",
}


def invoice_pdf(org: Org, invoice: dict[str, Any]) -> bytes:
    """An invoice or a credit note as a one-page PDF."""
    due = invoice["DueDate"].isoformat() if invoice.get("DueDate") else "-"
    title = TITLES.get(invoice["Type"], "DOCUMENT")
    number = invoice.get("InvoiceNumber") or invoice.get("CreditNoteNumber")
    lines = [
        (20, title),
        (11, org.name),
        (11, ""),
        (11, f"To: {invoice['Contact']['Name']}"),
        (
            11,
            f"Number: {number or '-'}    Reference: {invoice.get('Reference') or '-'}",
        ),
        (
            11,
            f"Date: {invoice['Date'].isoformat()}    Due: {due}",
        ),
        (11, f"Status: {invoice['Status']}    Currency: {invoice['CurrencyCode']}"),
        (11, ""),
    ]
    for line in invoice["LineItems"]:
        description = (line.get("Description") or line.get("ItemCode") or "")[:60]
        lines.append(
            (
                10,
                f"{description}   {line['Quantity']:g} x {line['UnitAmount']:.2f} = {line['LineAmount']:.2f}",
            )
        )
    lines += [
        (11, ""),
        (11, f"Subtotal: {invoice['SubTotal']:.2f}"),
        (11, f"Tax: {invoice['TotalTax']:.2f}"),
        (12, f"Total: {invoice['Total']:.2f}"),
        (12, f"Amount due: {invoice['AmountDue']:.2f}"),
    ]
    text = ["BT", "50 800 Td"]
    for size, content in lines:
        text.append(f"/F1 {size} Tf")
        text.append(f"({_escape(content)}) Tj")
        text.append(f"0 -{size + 8} Td")
    text.append("ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)
