"""Table rows built in Python: a list page renders 50 rows of 7 cells, and doing that through
the template engine (or format_html, whose lazy-aware escaping is slow) was most of its time."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from xeroadmin.books.models import Invoice
from xeroadmin.books.words import status_word as word_for
from xeroadmin.lib.templatetags.display import day, money

register = template.Library()


@register.simple_tag
def invoice_rows(invoices: Iterable[Any], list_url: str, pick: str = "") -> SafeString:
    """The `<tr>`s of the invoice table. Every value goes through `html.escape` (the escaping
    Django's own uses), so the result is safe to mark as such. With `pick` (a form's id), each
    row starts with a tick box of that form, for bulk jobs."""
    rows = []
    for invoice in invoices:
        tick = (
            f'<td class="pick"><input type="checkbox" name="invoice" value="{invoice.pk}" '
            f'form="{escape(pick)}" aria-label="Choose {escape(invoice.number or "draft")} '
            f'for {escape(invoice.contact_name)}"></td>'
            if pick
            else ""
        )
        bill = ' <small class="muted">bill</small>' if invoice.type == Invoice.Type.BILL else ""
        reference = (
            f' <small class="muted">{escape(invoice.reference)}</small>'
            if invoice.reference
            else ""
        )
        status = escape(invoice.status)
        word = escape(word_for(invoice.status))
        rows.append(
            f'<tr>{tick}<td data-label="Number" class="clip"><a href="{escape(list_url)}{invoice.pk}/">'
            f"{escape(invoice.number or '(draft)')}</a>{bill}{reference}</td>"
            f'<td data-label="Contact" class="clip" title="{escape(invoice.contact_name)}">'
            f"{escape(invoice.contact_name)}</td>"
            f'<td data-label="Date" class="nowrap">{escape(day(invoice.date))}</td>'
            f'<td data-label="Due" class="nowrap">{escape(day(invoice.due_date))}</td>'
            f'<td data-label="Status"><span class="badge status-{status}">{word}</span></td>'
            f'<td data-label="Total" class="num">'
            f"{escape(money(invoice.total, invoice.currency_code))}</td>"
            f'<td data-label="Amount due" class="num">'
            f"{escape(money(invoice.amount_due, invoice.currency_code))}</td></tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above is escaped


@register.filter
def status_word(status: str | None, kind: str = "document") -> str:
    """`{{ invoice.status|status_word }}`: Awaiting payment, not AUTHORISED (see `words`)."""
    return word_for(status, kind)


@register.filter
def type_word(kind: Any, value: str) -> str:
    """A record kind's word for one of Xero's types ("SPEND" is "Spend money")."""
    return str(kind.type_word(value)) if value else ""


@register.simple_tag
def document_rows(documents: Iterable[Any], kind: Any, list_url: str) -> SafeString:
    """The `<tr>`s of a record kind's table (`document_list.html`), as `invoice_rows` builds
    the invoices': every value escaped, the cells the kind has (`make bench BENCH=document_list`)."""
    journal = kind.key == "manual_journal"
    who = "Narration" if journal else "Contact"
    size = "Debits" if journal else "Total"
    rows = []
    for doc in documents:
        cells = [
            f'<td data-label="Date"><a href="{escape(list_url)}{doc.pk}/">'
            f"{escape(day(doc.date))}</a></td>"
        ]
        if kind.number_field:
            cells.append(f'<td data-label="Number">{escape(doc.number or "—")}</td>')
        if journal:
            cells.append(f'<td data-label="{who}">{escape(doc.reference or "—")}</td>')
        else:
            reference = (
                f' <small class="muted">{escape(doc.reference)}</small>' if doc.reference else ""
            )
            cells.append(
                f'<td data-label="{who}">{escape(doc.contact_name or "—")}{reference}</td>'
            )
        if kind.types:
            cells.append(f'<td data-label="Type">{escape(kind.type_word(doc.type))}</td>')
        if kind.key == "bank_transaction":
            settled = ' <small class="muted">reconciled</small>' if doc.is_reconciled else ""
            account = doc.bank_account_name or doc.bank_account_code or "—"
            cells.append(f'<td data-label="Bank account">{escape(account)}{settled}</td>')
        word = escape(word_for(doc.status, doc.kind))
        cells.append(
            f'<td data-label="Status"><span class="badge status-{escape(doc.status.lower())}">'
            f"{word}</span></td>"
        )
        cells.append(
            f'<td data-label="{size}" class="num">{escape(money(doc.total, doc.currency_code))}</td>'
        )
        if kind.credit:
            left = escape(money(doc.remaining, doc.currency_code))
            cells.append(f'<td data-label="Left to allocate" class="num">{left}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above is escaped
