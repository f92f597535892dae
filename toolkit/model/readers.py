"""Reading the CSV tables people edit, with problems reported instead of raised one by one."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.errors import Problem
from toolkit.model.text import normalize


def read_csv_checked(path: Path, columns: list[str], problems: list[Problem], optional: bool = False) -> pd.DataFrame:
    """Read ``path`` as text columns; record a missing file or missing columns as problems.

    Everything is read as string so that numbers typed with a decimal comma, blanks and
    typos survive until validation can name the row and column.
    """
    if not path.exists():
        if not optional:
            problems.append(Problem(str(path), "", "không tìm thấy tệp"))
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    try:
        # keep blank lines while reading so the index maps to the file's line numbers (index + 2)
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        problems.append(Problem(str(path), "", f"không đọc được CSV (cần UTF-8, phân cách bằng dấu phẩy): {exc}"))
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    df.columns = [normalize(c) for c in df.columns]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        problems.append(Problem(str(path), "dòng tiêu đề", f"thiếu cột {', '.join(missing)}; cần các cột {', '.join(columns)}"))
        for c in missing:
            df[c] = ""
    for c in df.columns:
        df[c] = df[c].astype(object).map(normalize)
    blank = (df == "").all(axis=1) if len(df.columns) else pd.Series(False, index=df.index)
    return df[~blank].astype(object)


def parse_numbers(values: pd.Series) -> pd.Series:
    """Numbers typed by people: '9,5' and '9.5' both mean 9.5; blanks become NaN."""
    text = values.astype(str).str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(text.where(text != "", None), errors="coerce")
