import json
import re
from pathlib import Path

from django.conf import settings


def last_code(number: str) -> str | None:
    """The last sign-in code the SMS sink wrote for ``number``."""
    folder = Path(settings.CONCORD_OUTBOX_DIR)
    found = None
    for path in sorted(folder.glob("sms-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["to"][-4:] == number[-4:] and row["reference"].startswith("portal-code/"):  # the sink masks
                found = re.search(r"\d{6}", row["text"]).group(0)
    return found
