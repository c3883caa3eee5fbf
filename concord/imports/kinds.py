"""What each kind of file is made of: how its rows are parsed, what identifies a row's object within the file,
and the writer that lands a chunk of rows. :mod:`concord.imports.services` runs any of them the same way."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from concord.creditors import services as creditor_services

from . import contacts, payments, recalls, rows
from .placing import PlacementWriter, placement_key


@dataclass(frozen=True)
class Kind:
    parse_file: Callable[..., Any]  # (path, *, today, encoding, profile) -> parsed file of RowResult
    key: Callable[[rows.RowResult], Any]  # what a row updates; a repeat within the file is applied after it
    writer: Callable[..., Any]  # (creditor, *, batch, actor, today) -> object with write(chunk) -> {row: outcome}
    label: Callable[[rows.RowResult], Any] | None = None  # how the chunk's audit event names a row (default: key)

    def audit_label(self, result: rows.RowResult):
        return (self.label or self.key)(result)


def _placement_writer(creditor, *, batch, actor, today):
    placements: dict = {}

    def placement_for(placed_on, return_on):
        key = placement_key(placed_on, return_on, today)
        if key not in placements:
            reference = f"IMP{batch.pk}-{key[0]:%Y%m%d}-{key[1]:%Y%m%d}"
            found = creditor.placements.filter(reference=reference).first()
            placements[key] = found or creditor_services.create_placement(
                actor, creditor, reference=reference, placed_on=key[0], return_on=key[1])
        return placements[key]

    writer = PlacementWriter(creditor, batch_label=f"#{batch.pk}", today=today, placement_for=placement_for)
    write = writer.write

    def write_and_register(chunk):
        outcome = write(chunk)
        references = [r.record.account_reference for r in chunk]
        for placement in placements.values():  # each account's balance at placement
            creditor_services.register_accounts(actor, placement, references=references)
        return outcome

    writer.write = write_and_register
    return writer


KINDS: dict[str, Kind] = {
    "placements": Kind(parse_file=rows.parse_file, key=lambda r: r.record.account_reference,
                       writer=_placement_writer),
    "payments": Kind(parse_file=payments.parse_file, key=payments.key, writer=payments.payment_writer),
    "recalls": Kind(parse_file=recalls.parse_file, key=recalls.key, writer=recalls.recall_writer),
    "contacts": Kind(parse_file=contacts.parse_file, key=contacts.key, writer=contacts.contact_writer,
                     label=contacts.audit_label),
}
