"""Shipping many orders at once: rows from the "ship selected orders" page or from a CSV file.

Each row names an order, a carrier and a tracking number. Rows are checked first (a bad value, an
unknown order, an order listed twice with different numbers), then each good row is shipped in a
transaction of its own through services.ship_order: a refused row changes nothing, and one bad row
never holds back the others.
"""

import codecs
import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from oscar.core.loading import get_model

from fulfilment import carriers, services

Order = get_model("order", "Order")

MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 2000
COLUMNS = ("order_number", "carrier", "tracking_number")
# Header cells people write for each column (after lower-casing and turning _ and - into spaces).
COLUMN_NAMES = {
    "order_number": {"order number", "order", "order no", "order #", "order id", "number"},
    "carrier": {"carrier", "shipping carrier", "courier"},
    "tracking_number": {"tracking number", "tracking", "tracking no", "tracking #", "tracking code"},
}


class FileRefused(Exception):
    """The file as a whole cannot be read; nothing was done."""


@dataclass
class Row:
    line: int | str  # the file's line number, or the order number on the "ship selected" page
    order_number: str
    carrier: str = ""
    carrier_name: str = ""
    tracking_number: str = ""
    carrier_text: str = ""  # a CSV's carrier cell, read by carriers.carrier_from_text
    from_page: bool = False  # carrier and carrier_name come from the page's fields, not carrier_text


@dataclass
class Report:
    shipped: list = field(default_factory=list)  # (row, shipment)
    refused: list = field(default_factory=list)  # (row, message)
    skipped: list = field(default_factory=list)  # (row, message)

    @property
    def errors_by_order(self):
        return {row.order_number: message for row, message in self.refused}


def ship_rows(rows, *, user, orders=None):
    """Ship every good row; report each row's outcome. `orders` limits which orders may be named
    (the orders the member of staff may see)."""
    report = Report()
    checked = []
    for row in rows:
        problem = _check(row)
        if problem == "skip":
            report.skipped.append((row, "No tracking number yet: not shipped."))
        elif problem:
            report.refused.append((row, problem))
        else:
            checked.append(row)
    by_order = {}
    for row in checked:
        by_order.setdefault(row.order_number, []).append(row)
    orders = (orders if orders is not None else Order.objects.all()).filter(number__in=list(by_order))
    found = {order.number: order for order in orders}
    for number, same_order in by_order.items():
        first, *others = same_order
        if any((r.carrier, r.carrier_name, r.tracking_number) != (first.carrier, first.carrier_name,
                                                                   first.tracking_number) for r in others):
            lines = _and_list([str(r.line) for r in same_order])
            for row in same_order:
                report.refused.append(
                    (row, f"Order {number} is on lines {lines} with different tracking numbers: nothing done for it.")
                )
            continue
        for row in others:
            report.skipped.append((row, f"The same as line {first.line}: shipped once."))
        order = found.get(number)
        if order is None:
            report.refused.append((first, f"There is no order {number}."))
            continue
        try:
            shipment = services.ship_order(
                order,
                carrier=first.carrier,
                carrier_name=first.carrier_name,
                tracking_number=first.tracking_number,
                user=user,
            )
        except services.AlreadyDone as done:
            report.skipped.append((first, str(done)))
        except services.FulfilmentError as error:
            report.refused.append((first, str(error)))
        else:
            report.shipped.append((first, shipment))
    for outcomes in (report.refused, report.skipped):
        outcomes.sort(key=lambda pair: _sort_key(pair[0].line))
    return report


def _check(row):
    """None for a good row (normalised in place), "skip" for a row with nothing to ship yet, or
    the message that says what is wrong."""
    row.order_number = " ".join(str(row.order_number or "").split())
    tracking = str(row.tracking_number or "").strip()
    carrier_text = row.carrier_text.strip()
    if not row.order_number:
        return "No order number."
    if not tracking and (row.from_page or not carrier_text):
        return "skip"
    if len(row.order_number) > 128:
        return "That is not an order number (it is too long)."
    try:
        if row.from_page:
            if row.carrier not in carriers.Carrier.values:
                return f"Order {row.order_number}: choose a carrier."
            other = row.carrier == carriers.Carrier.OTHER
            row.carrier_name = carriers.clean_carrier_name(row.carrier_name) if other else ""
        elif not carrier_text:
            return f"Order {row.order_number}: no carrier (USPS, UPS, FedEx or the carrier's name)."
        else:
            row.carrier, row.carrier_name = carriers.carrier_from_text(carrier_text)
        row.tracking_number = carriers.clean_tracking_number(tracking)
    except ValidationError as error:
        return f"Order {row.order_number}: {' '.join(error.messages)}"
    return None


def read_csv(uploaded):
    """The rows of an uploaded CSV file. Raises FileRefused when the file cannot be read as a
    whole (size, encoding, columns)."""
    raw = uploaded.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise FileRefused(f"The file is larger than {MAX_FILE_BYTES // 1024} KB: split it into smaller files.")
    if not raw.strip():
        raise FileRefused("The file is empty.")
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused("This is a spreadsheet workbook, not a CSV file: save it as \"CSV UTF-8\" and upload that.")
    text = _decode(raw)
    if "\x00" in text:
        raise FileRefused("The file has NUL characters: it is not a CSV text file.")
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if any(d in first_line for d in ",;\t") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, [])
        columns = _columns(header)
        rows = []
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_ROWS:
                raise FileRefused(f"The file has more than {MAX_ROWS} rows: split it into smaller files.")
            cell = dict.fromkeys(COLUMNS, "")
            for name, index in columns.items():
                if index < len(record):
                    cell[name] = record[index].strip()
            rows.append(
                Row(
                    line=reader.line_num,
                    order_number=cell["order_number"],
                    carrier_text=cell["carrier"],
                    tracking_number=cell["tracking_number"],
                )
            )
    except csv.Error as error:
        raise FileRefused(f"Line {reader.line_num} cannot be read as CSV ({error}).") from error
    if not rows:
        raise FileRefused("The file has its header line but no rows.")
    return rows


def _decode(raw):
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise FileRefused("The file says it is UTF-16 text but is not.") from error
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise FileRefused(
            f"The file is not UTF-8 text: line {line} has a character in another encoding. Save it as "
            "\"CSV UTF-8\" (Excel) or export it as CSV (Numbers, Google Sheets), then upload it again."
        ) from error


def _columns(header):
    found = {}
    for index, cell in enumerate(header):
        key = " ".join(cell.replace("_", " ").replace("-", " ").lower().split())
        for name, spellings in COLUMN_NAMES.items():
            if key == name.replace("_", " ") or key in spellings:
                if name in found:
                    raise FileRefused(f"The first line names the {name} column twice.")
                found[name] = index
    missing = [name for name in COLUMNS if name not in found]
    if missing:
        shown = ", ".join(cell.strip()[:30] for cell in header[:8] if cell.strip()) or "nothing"
        raise FileRefused(
            f"The first line must name the columns {', '.join(COLUMNS)} (in any order); it is missing "
            f"{_and_list(missing)}. The first line of this file has: {shown}."
        )
    return found


def _and_list(items):
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sort_key(line):
    return (0, line, "") if isinstance(line, int) else (1, 0, str(line))
