"""Write the records that ``tests/test_recorded_newer.py`` printed (read from stdin) to this folder.

ASYNCIO_PRIMER_RECORD=1 tox -e py314 -- tests/test_recorded_newer.py | python docs/recorded/save.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

MARK = "asyncio-primer-record: "


def main() -> int:
    saved = 0
    for line in sys.stdin:
        start = line.find(MARK)
        if start == -1:
            continue
        record = json.loads(line[start + len(MARK) :])
        path = Path(__file__).parent / f"{record.pop('lesson')}.json"
        path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"saved {path.name}")
        saved += 1
    return 0 if saved else 1


if __name__ == "__main__":
    sys.exit(main())
