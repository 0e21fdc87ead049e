"""What a memory may never hold: patient names, birth dates, raw transcripts.

Checked in the store's write path, inside the writer's tenant transaction, against the
clinic's own data (one round trip for a whole batch): a content that names a patient of the
clinic, spells a patient's birth date, or repeats a dictation transcript is refused. Plus
patterns that announce a birth date whoever it belongs to ("DOB", "born on").
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.orm import Session

from core_schema.errors import DomainError

BIRTH_DATE_WORDS = re.compile(r"\b(d\.?o\.?b\.?|date of birth|birth ?date|born (on|in))\b", re.IGNORECASE)
# A transcript shorter than this is a phrase any summary may share ("caries on 16").
MIN_TRANSCRIPT_CHARS = 24

_GUARD_SQL = text(r"""
WITH c AS (SELECT ord, lower(txt) AS txt FROM unnest(CAST(:contents AS text[])) WITH ORDINALITY AS t(txt, ord))
SELECT c.ord, 'a patient name' FROM c JOIN patients p
  ON c.txt ~ ('\m' || regexp_replace(lower(p.first_name), '([^[:alnum:] ])', '\\\1', 'g') || '\M')
 AND c.txt ~ ('\m' || regexp_replace(lower(p.last_name), '([^[:alnum:] ])', '\\\1', 'g') || '\M')
UNION ALL
SELECT c.ord, 'a birth date' FROM c JOIN patients p ON p.dob IS NOT NULL AND (
     position(to_char(p.dob, 'YYYY-MM-DD') in c.txt) > 0 OR position(to_char(p.dob, 'DD/MM/YYYY') in c.txt) > 0
  OR position(to_char(p.dob, 'MM/DD/YYYY') in c.txt) > 0 OR position(to_char(p.dob, 'DD.MM.YYYY') in c.txt) > 0
  OR position(lower(to_char(p.dob, 'FMMonth FMDD, YYYY')) in c.txt) > 0
  OR position(lower(to_char(p.dob, 'FMDD FMMonth YYYY')) in c.txt) > 0)
UNION ALL
SELECT c.ord, 'a dictation transcript' FROM c JOIN voice_utterances u
  ON length(u.transcript) >= :min_chars AND position(lower(u.transcript) in c.txt) > 0
""")


class PrivacyError(DomainError):
    """A memory that would hold an identifier or a transcript: refused, never stored."""


def check_contents(session: Session, contents: list[str]) -> None:
    """Refuse the batch if any content holds a patient name, a birth date or a transcript.

    ``session`` is the writer's tenant session: row-level security limits the comparison to
    the clinic's own patients and utterances. The error names the rule, never the match.
    """
    for i, content in enumerate(contents):
        if BIRTH_DATE_WORDS.search(content):
            raise _refusal(i, "a birth date")
    if not contents:
        return
    row = session.execute(_GUARD_SQL, {"contents": list(contents), "min_chars": MIN_TRANSCRIPT_CHARS}).first()
    if row is not None:
        raise _refusal(int(row[0]) - 1, str(row[1]))


def _refusal(index: int, what: str) -> PrivacyError:
    return PrivacyError("memory_privacy", f"memory {index + 1} refused: it would hold {what} "
                        "(memories keep ids, teeth, codes and dates only)", 422)
