"""The one door for every CSV and YAML file the toolkit reads.

Secretariats save files from Excel and Notepad with whatever their machine is set to: UTF-8
with or without a byte-order mark, UTF-16 ("Unicode text"), a legacy Vietnamese code page
(Windows-1258, TCVN3), ``;`` as the list separator and ``,`` as the decimal mark under
Vietnamese regional settings. Everything is decoded here, once: accepted encodings are read,
anything else is refused with the file named and how to save it as UTF-8; the CSV dialect is
sniffed from the header line; YAML errors name the file, line and column. One cause gives one
message: a file that cannot be read, or lacks required columns, is one problem, never one per row,
and a line entered many times is one problem naming its first line and counting the copies.

Text is data, never markup or code: a value holding a control character (a BEL or ESC that Excel
saved as ``_x0007_``, or a YAML ``"\\a"``) is refused here, naming file, line and column, because
it is invisible to the person who typed it, illegal in xlsx and XML, and would ring or recolour
the terminal of whoever reads a message quoting it. Tabs, line breaks and the other whitespace
controls are whitespace: the normaliser makes them one space, as before. YAML tags
(``!!python/object``) are refused: a data file holds text, numbers, dates, lists and mappings.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import pandas as pd
import yaml

from toolkit.errors import DataError, Problem, visible
from toolkit.model.text import fmt_number, normalize

# C0 controls but tab and line feed, DEL, and C1 controls (U+0080-U+009F): never text a person typed
REFUSED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

SAVE_AS_UTF8 = {
    ".csv": "mở tệp bằng Excel và chọn Lưu thành 'CSV UTF-8 (Comma delimited) (*.csv)', hoặc bằng Notepad và chọn Encoding 'UTF-8'",
    "": "mở tệp bằng Notepad (hoặc VS Code) và lưu lại với Encoding 'UTF-8'",
}


def _how_to_save(file: str) -> str:
    return SAVE_AS_UTF8.get(Path(file).suffix.lower(), SAVE_AS_UTF8[""])
_SEPARATORS = (",", ";", "\t")


class UnreadableFile(Exception):
    """A file that cannot be decoded or parsed at all: ``problem`` says which and why."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def decode(data: bytes, file: str) -> str:
    """Bytes of a text file to ``str``: UTF-8 (BOM optional) or UTF-16 with a BOM; anything else is refused."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8):], "utf-8", file)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", file)
    if b"\x00" in data:
        raise UnreadableFile(Problem(file, "", "không phải tệp văn bản (có byte 0: tệp nhị phân, "
                                               "hoặc UTF-16 không có dấu BOM); " + _how_to_save(file)))
    return _strict(data, "utf-8", file)


def _strict(data: bytes, encoding: str, file: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise UnreadableFile(Problem(file, f"dòng {line}", f"tệp không được lưu bằng mã {encoding.upper()} "
                                                           f"(có thể là Windows-1258 hoặc TCVN3); {_how_to_save(file)}")) from None


def read_text(path: Path) -> str:
    """The decoded text of ``path`` (see :func:`decode`); :class:`UnreadableFile` when it cannot be."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UnreadableFile(Problem(str(path), "", f"không đọc được tệp: {exc.strerror or exc}")) from None
    return decode(data, str(path))


def control_problem(file: str, where: str, value: str) -> Problem:
    """The problem of a value holding control characters: which ones, and the value with them shown as escapes."""
    found = ", ".join(visible(c) for c in dict.fromkeys(REFUSED.findall(value)))
    shown = visible(value)
    return Problem(file, where, f"có ký tự điều khiển không nhìn thấy được ({found}) trong '{shown[:80]}{'…' if len(shown) > 80 else ''}'"
                                "; thường do dán từ phần mềm khác: hãy xóa nội dung này và gõ lại")


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = re.compile(r"tag '([^']*)'")


def _yaml_problem(exc: yaml.YAMLError, text: str, file: str, what: str) -> Problem:
    """A YAML error in Vietnamese where a person can act on it (a tag, a control character), PyYAML's own words otherwise."""
    if isinstance(exc, yaml.reader.ReaderError):  # a raw control character: PyYAML refuses it before parsing
        ch = exc.character if isinstance(exc.character, str) else chr(exc.character)
        at = text.find(ch)
        line = text.count("\n", 0, at) + 1
        return control_problem(file, f"dòng {line}, cột {at - text.rfind(chr(10), 0, at)}", text.splitlines()[line - 1])
    mark = getattr(exc, "problem_mark", None)
    where = f"dòng {mark.line + 1}, cột {mark.column + 1}" if mark else ""
    reason = getattr(exc, "problem", None) or str(exc)
    tag = _TAG.search(reason) if isinstance(exc, yaml.constructor.ConstructorError) else None
    if tag:
        name = tag.group(1).replace("tag:yaml.org,2002:", "!!")
        return Problem(file, where, f"thẻ YAML '{name}' không được dùng: {what} chỉ chứa chữ, số, ngày, danh sách và bảng "
                                    f"khóa: giá trị; hãy bỏ '{name}' (nếu đó là chữ, đặt cả giá trị trong dấu nháy)")
    return Problem(file, where, f"không đọc được {what}: {reason}")


def _control_scalars(text: str, file: str) -> list[Problem]:
    """Control characters a double-quoted YAML scalar writes as escapes ("\\a", "\\x1b"), each with its line and column."""
    problems, nodes = [], [yaml.compose(text, Loader=_LOADER)]
    while nodes:
        node = nodes.pop()
        if isinstance(node, yaml.ScalarNode):
            if REFUSED.search(node.value):
                mark = node.start_mark
                problems.append(control_problem(file, f"dòng {mark.line + 1}, cột {mark.column + 1}", node.value))
        elif isinstance(node, yaml.MappingNode):
            nodes.extend(n for pair in reversed(node.value) for n in reversed(pair))
        elif node is not None:
            nodes.extend(reversed(node.value))
    return problems


def read_yaml(path: Path, what: str = "tệp YAML") -> object:
    """Parse a YAML file safely (no tags, no control characters); a fault raises :class:`DataError` naming file, line and column."""
    try:
        text = read_text(path)
    except UnreadableFile as exc:
        raise DataError([exc.problem]) from None
    if not text.strip():
        raise DataError([Problem(str(path), "", "tệp trống")])
    try:
        data = yaml.load(text, Loader=_LOADER)
        if "\\" in text or "\x85" in text:  # the only ways a control character gets past PyYAML's reader
            problems = _control_scalars(text, str(path))
            if problems:
                raise DataError(problems)
        return data
    except yaml.YAMLError as exc:
        raise DataError([_yaml_problem(exc, text, str(path), what)]) from None


def sniff_separator(text: str, columns: list[str]) -> str:
    """The separator that splits the header into the expected columns (else the most frequent one).

    With ``;`` or a tab as separator, Excel writes decimal commas ("9,5"); with ``,`` a decimal
    comma can only appear inside quotes. Either way numbers are parsed by :func:`parse_numbers`.
    """
    header = next((line for line in text.splitlines() if line.strip()), "")
    wanted = {c.casefold() for c in columns}
    best, best_hits = ",", -1
    for sep in _SEPARATORS:
        cells = {normalize(c).casefold() for c in next(csv.reader([header], delimiter=sep), [])}
        hits = len(cells & wanted) * 1000 + header.count(sep)
        if hits > best_hits:
            best, best_hits = sep, hits
    return best


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def read_csv_checked(path: Path, columns: list[str], problems: list[Problem], optional: bool = False) -> pd.DataFrame:
    """Read ``path`` as text columns; a missing file, an unreadable one or missing columns become one problem each.

    Everything is read as text so that numbers typed with a decimal comma, blanks and typos
    survive until validation can name the row and column. Blank lines are kept while reading so
    the index maps to the file's line numbers (index + 2). When the file cannot be used, an
    empty table comes back: one cause is reported once, not once per row.
    """
    if not path.exists():
        if not optional:
            problems.append(Problem(str(path), "", "không tìm thấy tệp"))
        return _empty(columns)
    try:
        text = read_text(path)
    except UnreadableFile as exc:
        problems.append(exc.problem)
        return _empty(columns)
    if not text.strip():
        problems.append(Problem(str(path), "", f"tệp trống; cần dòng tiêu đề với các cột {', '.join(columns)}"))
        return _empty(columns)
    separator = sniff_separator(text, columns)
    try:
        df = pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False,
                         skip_blank_lines=False, engine="python" if separator != "," else "c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        problems.append(Problem(str(path), "", f"không đọc được CSV ({exc}); cần các cột {', '.join(columns)} "
                                               "phân cách bằng dấu phẩy hoặc dấu chấm phẩy"))
        return _empty(columns)
    if not isinstance(df.index, pd.RangeIndex):  # pandas takes a first line longer than the header as row labels
        problems.append(Problem(str(path), "dòng 2", f"dòng có nhiều ô hơn dòng tiêu đề ({len(df.columns)} cột): dấu phân cách thừa, "
                                                    "hoặc một tên có dấu phẩy chưa được đặt trong dấu nháy kép"))
        return _empty(columns)
    df.columns = [normalize(c) for c in df.columns]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        problems.append(Problem(str(path), "dòng tiêu đề", f"thiếu cột {', '.join(missing)}; cần các cột {', '.join(columns)} "
                                                           f"(đọc được các cột: {', '.join(df.columns) or 'không có'})"))
        return _empty(columns)
    for c in df.columns:
        df[c] = df[c].astype(object).map(normalize)
    if REFUSED.search(text.replace("\r\n", "\n")):  # whitespace controls are spaces once normalised: look cell by cell
        _refuse_controls(df, str(path), problems)
    blank = (df == "").all(axis=1) if len(df.columns) else pd.Series(False, index=df.index)
    return df[~blank].astype(object)


class RowChecker:
    """Problems of one CSV file read by :func:`read_csv_checked`, each named by the line and column
    the secretariat finds in Excel: the header is line 1 and blank lines were kept, so a row's
    line is its index + 2."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.file = str(path)
        self.problems = problems

    def rows(self, df: pd.DataFrame, mask, column: str, message, severity: str = "error") -> None:
        """One problem per row where ``mask`` holds (NA counts as no); ``message`` is text or a function of the row."""
        mask = pd.Series(mask, index=df.index).fillna(False).astype(bool)
        for i in df.index[mask]:
            text = message(df.loc[i]) if callable(message) else message
            self.problems.append(Problem(self.file, f"dòng {i + 2}, cột {column}", text, severity))


def _refuse_controls(df: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    """One problem per cell holding a control character; the characters are then dropped, so no later check quotes them."""
    for c in df.columns:
        bad = df[c].str.contains(REFUSED)
        for i in df.index[bad]:
            problems.append(control_problem(file, f"dòng {i + 2}, cột {c}", df.at[i, c]))
        df.loc[bad, c] = df.loc[bad, c].str.replace(REFUSED, "", regex=True)


def duplicates(df: pd.DataFrame, keys: list[str], file: str, column: str, what) -> list[Problem]:
    """One problem per key entered more than once: on its first line, with the count and where the first copies are.

    ``what(row)`` says what was entered twice ("điểm tiêu chí 'N1.1' của đơn vị 'x'"). A line
    pasted 100,000 times is one message, not 100,000.
    """
    dup = df.duplicated(keys, keep=False)
    if not dup.any():
        return []
    problems = []
    for rows in sorted(df[dup].groupby(keys, sort=False, dropna=False).indices.values(), key=lambda r: r[0]):
        lines = [int(i) + 2 for i in df[dup].index[rows]]
        copies = ", ".join(str(n) for n in lines[1:4]) + (", …" if len(lines) > 4 else "")
        problems.append(Problem(file, f"dòng {lines[0]}, cột {column}",
                                f"{what(df.loc[lines[0] - 2])} bị nhập {fmt_number(len(lines), 0)} lần (dòng {lines[0]}; "
                                f"{'các bản sao' if len(lines) > 2 else 'bản sao'} ở dòng {copies}): chỉ giữ một dòng"))
    return problems


def parse_numbers(values: pd.Series) -> pd.Series:
    """Numbers typed by people: '9,5' and '9.5' both mean 9.5; '1.234,5' and '1,234.5' mean 1234.5; blanks become NaN.

    Anything else (text, '1e400' which overflows, 'nan', 'inf') becomes NaN too, and the caller
    reports it as not a number: no value that is not finite ever reaches the engine.
    """
    text = values.astype(str).str.strip().str.replace(" ", "", regex=False).str.replace("\u00a0", "", regex=False)
    both = text.str.contains(",", regex=False) & text.str.contains(".", regex=False)
    comma_last = text.str.rfind(",") > text.str.rfind(".")
    # with both marks, the last one is the decimal mark and the other groups thousands
    text = text.where(~(both & comma_last), text.str.replace(".", "", regex=False))
    text = text.where(~(both & ~comma_last), text.str.replace(",", "", regex=False))
    text = text.str.replace(",", ".", regex=False)
    plain = text.str.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
    numbers = pd.to_numeric(text.where(plain & (text != ""), None), errors="coerce")
    return numbers.where(numbers.abs() < float("inf"))


def parse_years(values: pd.Series) -> pd.Series:
    """Years typed by people: whole numbers from 1945 to 2100; anything else becomes NaN (reported by the caller)."""
    years = parse_numbers(values)
    return years.where((years % 1 == 0) & years.between(1945, 2100))


def read_own_csv(path: Path, **read_csv_options) -> pd.DataFrame:
    """A CSV the toolkit itself wrote (results/*.csv, ingest_report.csv), decoded by the same door.

    Its layout is the toolkit's own (comma separated, documented ids), so no dialect is sniffed;
    a file damaged since (re-saved in another encoding) is still refused with its name.
    """
    try:
        text = read_text(path)
    except UnreadableFile as exc:
        raise DataError([exc.problem]) from None
    try:
        df = pd.read_csv(io.StringIO(text), **read_csv_options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataError([Problem(str(path), "", f"không đọc được bảng CSV của thidua: {exc}")]) from None
    if REFUSED.search(text.replace("\r\n", "\n")):  # edited since it was written: refused as any data file would be
        problems = [control_problem(str(path), f"dòng {i + 2}, cột {c}", v) for c in df.columns
                    for i, v in df[c].items() if isinstance(v, str) and REFUSED.search(v)]
        if problems:
            raise DataError(problems)
    return df
