"""Sending letters: each letter is its own idempotent unit of delivery.

The database is the source of truth; Celery only carries work.

1. **Dispatch** (beat, every LETTERS_DISPATCH_INTERVAL seconds): claim due SCHEDULED
   letters with row locks, SKIP LOCKED, in chunks of CHUNK_SIZE; mark them QUEUED
   (queued_at, claimed_at) and, once that commits, queue one `letters_send_chunk` task per
   chunk. Two dispatchers at once take different rows.
2. **Send** (the chunk task): claim the chunk's letters (QUEUED → SENDING, one more
   attempt each, claimed_at) and commit; letters another task claimed first are skipped.
   Then, on one SMTP connection, per letter: hand it to the SMTP server with its own
   Message-ID, then mark it SENT (with the Message-ID and addresses) and commit: one
   UPDATE a letter. A refusal puts it back to SCHEDULED with a growing delay
   (LETTERS_RETRY_AFTER, doubled each time; last_error); after LETTERS_MAX_ATTEMPTS it is
   FAILED, shown with its error, and `services.letter_retry` sends it again. A permanent
   refusal (5xx) or a target without an email address fails at once. A task stopped part
   way (a time limit) gives back what it did not get to.
3. **Sweep** (at every dispatch): letters QUEUED or SENDING whose claim is older than
   LETTERS_LEASE seconds lost their task (a killed worker, a broker restarted without its
   queue, a message that never arrived): they go back to SCHEDULED and are sent by the next
   dispatch. A task that turns up late finds them claimed by another and skips them.

**The window that cannot be closed.** Between the SMTP server accepting a message ("250"
after DATA) and the commit that marks the letter SENT, nothing else happens, but a worker
killed exactly there leaves a letter that went out in SENDING; the sweeper sends it again
(the recipient's server sees the same Message-ID, which many use to drop the copy). No
protocol can close it: SMTP has no transaction shared with the database. Everywhere else a
kill, a lost task or a broker restart neither loses nor duplicates a letter: a letter still
QUEUED or SENDING was not handed over (but for that one), so sending it again sends it
once; a letter marked SENT is never sent again. tests/letters/test_delivery_worker.py
kills a worker outside the window, on purpose, and counts the Message-IDs that arrive.

Printed channels (post, hand delivery): on the day, the chunk task renders one PDF per
target with all of its letters (letters.pdfs.targets_letters_pdfs) into ActionTarget.pdf and
marks the letters PRINTED; `services.targets_mark_delivered` makes them SENT.

After sending: FOI requests get their statutory deadline (counted from the sending date in
the target's zone) and reminders to the action's creator and the organisation's
coordinators; a daily task marks requests unanswered past their deadline as "no answer".
Fourteen days after sending, the writer is asked whether a reply came.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from advocacy.mail import absolute_url
from advocacy.models import Membership, User
from advocacy.tasks import NETWORK_ERRORS
from advocacy.zones import local_to_utc, zone
from campaigns import reminders
from campaigns.models import Reminder
from contacts.models import ContactPoint, Position
from letters.models import ActionTarget, Letter, LetterAction

logger = logging.getLogger(__name__)

UTC = dt.UTC
# Actions whose due letters go out; a closed (or not yet launched) action sends nothing.
SENDING_ACTION_STATES = (LetterAction.State.SCHEDULED, LetterAction.State.SENDING)
# A refused letter waits LETTERS_RETRY_AFTER seconds, then twice that, and so on, up to this.
RETRY_MAX_DELAY = dt.timedelta(hours=1)
# Emails claimed together and sent by one task over one connection.
CHUNK_SIZE = 100
# Printed letters: targets rendered per task (a PDF takes a fraction of a second).
PRINT_CHUNK_SIZE = 20
# FOI reminders: a few days before the deadline and on the day, at this local hour.
FOI_WARNING_DAYS = 3
FOI_REMINDER_HOUR = 9
# The writer is asked whether a reply came this long after sending; letters sent longer
# ago than that plus the grace (the task was off) are not asked any more.
REPLY_CHECK_AFTER = dt.timedelta(days=14)
REPLY_CHECK_GRACE = dt.timedelta(days=7)
REPLY_CHECK_BATCH = 500


# Dispatch ----------------------------------------------------------------------------------


def _enqueue(chunks: list[list[int]]) -> None:
    from letters import tasks

    for position, ids in enumerate(chunks):
        try:
            tasks.letters_send_chunk.delay(ids)
        except BrokerError:
            # The broker is down: these letters stay queued and the sweeper gives them
            # back once their lease is over.
            waiting = sum(len(chunk) for chunk in chunks[position:])
            logger.warning("Broker unavailable; %d letters wait", waiting)
            return


def _claim_chunk(*, now: dt.datetime, size: int) -> tuple[list[int], int]:
    """Claim up to `size` due letters; returns their ids and how many rows were seen."""
    with transaction.atomic():
        due = (
            Letter.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                state=Letter.State.SCHEDULED,
                due_at__lte=now,
                action__state__in=SENDING_ACTION_STATES,
            )
            .order_by("due_at", "action_id", "target_id", "pk")
        )
        rows = list(due.values_list("pk", "action_id", "action__channel")[:size])
        if not rows:
            return [], 0
        ids = [pk for pk, _action, _channel in rows]
        Letter.objects.filter(pk__in=ids).update(
            state=Letter.State.QUEUED, queued_at=now, claimed_at=now, updated_at=now
        )
        action_ids = {action for _pk, action, _channel in rows}
        LetterAction.objects.filter(pk__in=action_ids, state=LetterAction.State.SCHEDULED).update(
            state=LetterAction.State.SENDING, sending_started_at=now
        )
        # Printed letters make PDFs, which take longer than emails: smaller tasks.
        emails = [pk for pk, _action, channel in rows if channel == LetterAction.Channel.EMAIL]
        printed = [pk for pk, _action, channel in rows if channel != LetterAction.Channel.EMAIL]
        chunks = [emails] if emails else []
        chunks += [
            printed[start : start + PRINT_CHUNK_SIZE]
            for start in range(0, len(printed), PRINT_CHUNK_SIZE)
        ]
        # Robust: an error while queueing (tasks run inline when eager) must not undo the
        # claim; letters not queued are given back by the sweeper.
        transaction.on_commit(functools.partial(_enqueue, chunks), robust=True)
    return ids, len(rows)


def letters_dispatch(*, now: dt.datetime | None = None, chunk_size: int | None = None) -> list[int]:
    """Give back lost letters, then claim every due letter in chunks and queue one send
    task per chunk. Returns the ids claimed. Each chunk commits before its task is queued,
    so a worker never looks for a letter whose new state it cannot see yet."""
    now = now or timezone.now()
    letters_sweep(now=now)
    size = chunk_size or CHUNK_SIZE
    claimed: list[int] = []
    while True:
        ids, seen = _claim_chunk(now=now, size=size)
        claimed += ids
        if seen < size:
            return claimed


def letters_sweep(*, now: dt.datetime | None = None) -> int:
    """Letters queued or being sent for longer than the lease lost their task: back to
    SCHEDULED (their due time has passed: the next dispatch takes them). A letter being
    sent had its attempt counted when it was claimed (it may be one that stops the worker
    every time): after the last attempt it fails instead."""
    now = now or timezone.now()
    stale_before = now - dt.timedelta(seconds=settings.LETTERS_LEASE)
    with transaction.atomic():
        stale = Letter.objects.select_for_update(skip_locked=True).filter(
            state__in=Letter.IN_FLIGHT, claimed_at__lt=stale_before
        )
        rows = list(stale.values_list("pk", "state", "attempts"))
        if not rows:
            return 0
        queued = [pk for pk, state, _attempts in rows if state == Letter.State.QUEUED]
        sending = [pk for pk, state, _attempts in rows if state == Letter.State.SENDING]
        given_up = [
            pk
            for pk, state, attempts in rows
            if state == Letter.State.SENDING and attempts >= settings.LETTERS_MAX_ATTEMPTS
        ]
        back = {"state": Letter.State.SCHEDULED, "queued_at": None, "claimed_at": None}
        Letter.objects.filter(pk__in=queued).update(**back, updated_at=now)
        Letter.objects.filter(pk__in=sending).exclude(pk__in=given_up).update(
            **back,
            last_error=_("The worker stopped while this letter was on its way; it is sent again."),
            updated_at=now,
        )
        Letter.objects.filter(pk__in=given_up).update(
            state=Letter.State.FAILED,
            claimed_at=None,
            last_error=_("The worker stopped while this letter was on its way, %(count)d times.")
            % {"count": settings.LETTERS_MAX_ATTEMPTS},
            updated_at=now,
        )
    logger.warning(
        "Gave back %d letters whose task was lost (%d were being sent)", len(rows), len(sending)
    )
    return len(rows)


# Addresses and messages --------------------------------------------------------------------


def current_emails(person_ids: Iterable[int], *, on: dt.date | None = None) -> dict[int, str]:
    """Each person's current email address from the directory (the first one entered when
    there are several), by person id; one query."""
    rows = (
        ContactPoint.objects.current(on)
        .filter(person_id__in=list(person_ids), kind=ContactPoint.Kind.EMAIL)
        .exclude(value="")
        .order_by("person_id", "pk")
        .values_list("person_id", "value")
    )
    emails: dict[int, str] = {}
    for person_id, value in rows:
        emails.setdefault(person_id, value.strip())
    return emails


def recipients_for(
    letters: list[Letter], *, on: dt.date | None = None
) -> dict[int, tuple[str, list[str]]]:
    """(to, aides) for each letter's target, by person id: the target's current email, and
    the current emails of everyone holding a current position to the target (looked up for
    the targets of actions that copy aides; see `copied`). Two queries for any number of
    letters."""
    on = on or timezone.localdate()
    target_ids = {letter.target_id for letter in letters}
    copying = {letter.target_id for letter in letters if letter.action.copy_aides}
    aides: dict[int, list[int]] = defaultdict(list)
    if copying:
        for boss, aide in (
            Position.objects.current(on)
            .filter(to_person_id__in=copying)
            .order_by("to_person_id", "pk")
            .values_list("to_person_id", "person_id")
        ):
            if aide not in aides[boss]:
                aides[boss].append(aide)
    emails = current_emails(target_ids | {aide for ids in aides.values() for aide in ids}, on=on)
    result = {}
    for target_id in target_ids:
        to = emails.get(target_id, "")
        cc = []
        for aide in aides.get(target_id, []):
            email = emails.get(aide)
            if email and email.lower() != to.lower() and email not in cc:
                cc.append(email)
        result[target_id] = (to, cc)
    return result


def copied(letter: Letter, aides: list[str]) -> list[str]:
    """The aides' addresses a letter copies: none when its action does not copy aides."""
    return aides if letter.action.copy_aides else []


def _from_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@localhost"


def message_id_for(letter: Letter) -> str:
    """The letter's own Message-ID: the same at every attempt, so a copy is recognisable."""
    domain = _from_address().rpartition("@")[2] or "localhost"
    return f"<letter-{letter.pk}.{letter.action_id}@{domain}>"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def writer_name(letter: Letter) -> str:
    if letter.signatory_id and letter.signatory:
        return _one_line(letter.signatory.name)
    return _one_line(letter.action.organisation.name)


def reply_to_for(letter: Letter) -> str:
    """Letters with one writer: theirs. Co-signed letters and FOI requests: the action's
    address for replies, else the organisation's."""
    action = letter.action
    if action.is_cosigned or action.is_foi or not letter.signatory_id:
        return action.reply_to or action.organisation.email
    return letter.signatory.email


def build_message(
    letter: Letter,
    *,
    to: str,
    cc: list[str],
    message_id: str,
    signatures: str = "",
) -> EmailMessage:
    """The email of one letter; a co-signed letter's `signatures` follow its text."""
    reply_to = reply_to_for(letter)
    return EmailMessage(
        subject=_one_line(letter.subject),
        body=f"{letter.body}\n\n{signatures}" if signatures else letter.body,
        from_email=formataddr((writer_name(letter), _from_address())),
        to=[to],
        cc=cc,
        reply_to=[reply_to] if reply_to else [],
        headers={"Message-ID": message_id},
    )


# Sending -----------------------------------------------------------------------------------


def retry_delay(attempts: int) -> dt.timedelta:
    """How long a letter refused `attempts` times waits before the next try."""
    base = dt.timedelta(seconds=settings.LETTERS_RETRY_AFTER)
    return min(base * 2 ** max(attempts - 1, 0), RETRY_MAX_DELAY)


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refusals = [
            f"{address}: {code} {_text(message)}"
            for address, (code, message) in error.recipients.items()
        ]
        return _("The mail server refused the address: %(detail)s") % {
            "detail": "; ".join(refusals)
        }
    if isinstance(error, smtplib.SMTPResponseException):
        return _("The mail server refused the letter: %(code)s %(message)s") % {
            "code": error.smtp_code,
            "message": _text(error.smtp_error),
        }
    return _("The mail server could not be reached: %(error)s") % {
        "error": str(error) or error.__class__.__name__
    }


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _is_permanent(error: BaseException) -> bool:
    """A 5xx answer: trying again later would get the same."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _attempt_failed(ids: list[int], *, error: str, permanent: bool = False) -> None:
    """Letters being sent that did not go: back to SCHEDULED after a delay, or FAILED once
    they have had every attempt (or at once, when trying again cannot help). Attempts are
    counted when letters are claimed."""
    now = timezone.now()
    letters = Letter.objects.filter(pk__in=ids, state=Letter.State.SENDING)
    for attempts in set(letters.values_list("attempts", flat=True)):
        same = letters.filter(attempts=attempts)
        if permanent or attempts >= settings.LETTERS_MAX_ATTEMPTS:
            same.update(
                state=Letter.State.FAILED,
                last_error=error[:2000],
                claimed_at=None,
                updated_at=now,
            )
        else:
            same.update(
                state=Letter.State.SCHEDULED,
                due_at=now + retry_delay(attempts),
                last_error=error[:2000],
                queued_at=None,
                claimed_at=None,
                updated_at=now,
            )


def _fail_now(letter: Letter, error: str) -> None:
    Letter.objects.filter(pk=letter.pk, state=Letter.State.SENDING).update(
        state=Letter.State.FAILED, last_error=error, claimed_at=None, updated_at=timezone.now()
    )


def _give_back(ids: list[int]) -> None:
    """Claimed letters the task did not get to (it was stopped): due again at once, their
    attempt counted."""
    if ids:
        Letter.objects.filter(pk__in=ids, state=Letter.State.SENDING).update(
            state=Letter.State.SCHEDULED, queued_at=None, claimed_at=None, updated_at=timezone.now()
        )


def _claim(letters: list[Letter]) -> list[Letter]:
    """QUEUED → SENDING for the chunk, one more attempt each, committed before anything is
    handed to the mail server. Letters another task claimed first (or sent) are left out.

    The row locks wait rather than skip: under load, SKIP LOCKED here passed over whole
    chunks just queued (their rows looked locked for an instant after the dispatcher's
    commit), and a letter passed over waits for the sweeper. Waiting costs nothing when
    nobody holds them. Two tasks with the same letters (a message delivered twice) lock
    them in the same order; the second then finds them claimed."""
    now = timezone.now()
    with transaction.atomic():
        mine = set(
            Letter.objects.select_for_update()
            .filter(pk__in=[letter.pk for letter in letters], state=Letter.State.QUEUED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Letter.objects.filter(pk__in=mine).update(
            state=Letter.State.SENDING,
            attempts=F("attempts") + 1,
            claimed_at=now,
            updated_at=now,
        )
    return [letter for letter in letters if letter.pk in mine]


@functools.cache
def _mark_sent_sql() -> str:
    table = connection.ops.quote_name(Letter._meta.db_table)
    return (
        f"UPDATE {table} SET state = %s, sent_at = %s, message_id = %s, to_email = %s, "
        "cc = %s, last_error = '', updated_at = %s, foi_deadline = COALESCE(%s, foi_deadline) "
        "WHERE id = %s AND state <> %s"
    )


def _mark_sent(
    letter: Letter, *, message_id: str, to: str, cc: list[str], zones: dict[int, str]
) -> None:
    """SENT, with what went and where; committed at once. Whatever happened meanwhile (a
    sweeper that thought the task lost gave the letter back), it went: recorded as sent,
    so no other task sends it again. One statement written out, as this runs once a letter
    and the ORM's query building cost more than the UPDATE itself."""
    now = timezone.now()
    deadline = None
    if letter.action.is_foi and (law := letter.action.foi_deadline_rule) is not None:
        deadline = law.due(now.astimezone(zone(zones.get(letter.target_id))).date())
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            _mark_sent_sql(),
            [
                Letter.State.SENT.value,
                ops.adapt_datetimefield_value(now),
                message_id,
                to,
                Letter._meta.get_field("cc").get_db_prep_value(cc, connection),
                ops.adapt_datetimefield_value(now),
                ops.adapt_datefield_value(deadline),
                letter.pk,
                Letter.State.SENT.value,
            ],
        )


def _close(smtp) -> None:
    # A connection that is gone is closed.
    with contextlib.suppress(Exception):
        smtp.close()


def _target_zones(letters: list[Letter]) -> dict[int, str]:
    """The time zone of each letter's target (their ActionTarget), by person id."""
    pairs = {(letter.action_id, letter.target_id) for letter in letters}
    rows = ActionTarget.objects.filter(
        action_id__in={a for a, _p in pairs}, person_id__in={p for _a, p in pairs}
    ).values_list("person_id", "time_zone")
    zones = dict(rows)
    for letter in letters:
        zones.setdefault(letter.target_id, letter.action.time_zone)
    return zones


def _signatures(letters: list[Letter]) -> dict[int, str]:
    """The signatures under each co-signed letter of the chunk (by letter pk), in the
    letter's language."""
    from letters import pdfs

    by_action: dict[int, list[Letter]] = {}
    for letter in letters:
        if letter.action.is_cosigned:
            by_action.setdefault(letter.action_id, []).append(letter)
    texts = {}
    for group in by_action.values():
        action = group[0].action
        signed = pdfs.signatures_by_person(action, [letter.target_id for letter in group])
        for letter in group:
            signatories, unnamed = signed.get(letter.target_id, ([], 0))
            with translation.override(letter.language):
                texts[letter.pk] = pdfs.signatures_text(signatories, unnamed, action)
    return texts


def _send_emails(letters: list[Letter]) -> list[int]:
    """Claim the chunk's letters, then send each on one connection; returns the ids sent.
    Per letter, after the claim: one message to the mail server, one UPDATE."""
    letters = _claim(letters)
    if not letters:
        return []
    addresses = recipients_for(letters)
    zones = _target_zones(letters) if any(letter.action.is_foi for letter in letters) else {}
    signatures = _signatures(letters)
    smtp = get_connection(fail_silently=False)
    try:
        smtp.open()
    except NETWORK_ERRORS as error:
        # Nothing can go out (the server is gone, refuses the login, or TLS fails): not a
        # refusal of any letter, so every one waits its turn, and fails only after
        # LETTERS_MAX_ATTEMPTS, with the reason shown.
        logger.warning("No connection to the mail server: %s", error)
        _attempt_failed([letter.pk for letter in letters], error=_describe(error))
        _close(smtp)
        return []
    sent: list[int] = []
    done = 0  # letters dealt with, sent or not
    try:
        for letter in letters:
            done += 1
            to, aides = addresses[letter.target_id]
            cc = copied(letter, aides)
            if not to:
                _fail_now(
                    letter,
                    _("%(name)s has no current email address in the directory.")
                    % {"name": letter.target.name},
                )
                continue
            message_id = message_id_for(letter)
            try:
                message = build_message(
                    letter,
                    to=to,
                    cc=cc,
                    message_id=message_id,
                    signatures=signatures.get(letter.pk, ""),
                )
                smtp.send_messages([message])
            except ValueError as error:
                # A header that cannot be written (an address Python's email refuses).
                logger.exception("Letter %s cannot be written as an email", letter.pk)
                _fail_now(
                    letter,
                    _("The letter cannot be written as an email: %(error)s")
                    % {"error": str(error) or error.__class__.__name__},
                )
                continue
            except NETWORK_ERRORS as error:
                logger.warning("Letter %s not sent: %s", letter.pk, error)
                _attempt_failed([letter.pk], error=_describe(error), permanent=_is_permanent(error))
                if isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
                    continue  # the server answered: the connection is still good
                _close(smtp)
                try:
                    smtp.open()
                except NETWORK_ERRORS as reconnect:
                    # The server is gone: the rest of the chunk waits its turn too.
                    _attempt_failed(
                        [other.pk for other in letters[done:]], error=_describe(reconnect)
                    )
                    done = len(letters)
                    return sent
                continue
            # The window: the server has the letter; until this commits, a kill resends it.
            _mark_sent(letter, message_id=message_id, to=to, cc=cc, zones=zones)
            sent.append(letter.pk)
    finally:
        _close(smtp)
        # Stopped part way (a time limit, an error of ours): the rest goes back at once
        # instead of waiting for the sweeper.
        _give_back([letter.pk for letter in letters[done:]])
    return sent


def _pdf_name(action: LetterAction, target: ActionTarget) -> str:
    from advocacy.pdf import pdf_filename

    return pdf_filename(str(action.pk), action.title, target.person.name)


def _print_targets(action: LetterAction, people: dict[int, list[int]]) -> None:
    """In one transaction: the letters to these people (person id → letter ids) become
    PRINTED and each person's ActionTarget gets its PDF. Raises if a PDF cannot be made."""
    from letters import pdfs

    now = timezone.now()
    replaced: list[str] = []
    with transaction.atomic():
        for person_id in people:
            ActionTarget.objects.get_or_create(
                action=action, person_id=person_id, defaults={"time_zone": action.time_zone}
            )
        targets = list(
            ActionTarget.objects.select_for_update(of=("self",))
            .select_related("person")
            .filter(action=action, person_id__in=list(people))
            .order_by("pk")
        )
        ids = [pk for letter_ids in people.values() for pk in letter_ids]
        Letter.objects.filter(pk__in=ids, state=Letter.State.SENDING).update(
            state=Letter.State.PRINTED, last_error="", updated_at=now
        )
        # The chunk's targets in one layout run: much faster than one WeasyPrint run each.
        files = pdfs.targets_letters_pdfs(targets)
        for target in targets:
            replaced.append(target.pdf.name)
            target.action = action
            target.pdf.save(_pdf_name(action, target), ContentFile(files[target.pk]), save=False)
            # A letter printed after the target was visited is still to deliver.
            target.delivered_at = None
        ActionTarget.objects.bulk_update(targets, ["pdf", "delivered_at"])
    for name, target in zip(replaced, targets, strict=True):
        if name and name != target.pdf.name:
            target.pdf.storage.delete(name)


def _print(letters: list[Letter]) -> list[int]:
    """One PDF per target with all of its printed letters; the letters become PRINTED.
    The chunk's targets are rendered together; if that fails, one by one, so one target's
    problem holds back only its own letters."""
    letters = _claim(letters)
    by_action: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    actions: dict[int, LetterAction] = {}
    for letter in letters:
        by_action[letter.action_id][letter.target_id].append(letter.pk)
        actions[letter.action_id] = letter.action
    printed: list[int] = []
    try:
        for action_id, people in by_action.items():
            action = actions[action_id]
            if len(people) > 1:
                try:
                    _print_targets(action, people)
                except Exception:  # noqa: BLE001 - then each target on its own
                    logger.warning("Printing %d targets at once failed", len(people))
                else:
                    printed += [pk for ids in people.values() for pk in ids]
                    continue
            for person_id, ids in people.items():
                try:
                    _print_targets(action, {person_id: ids})
                except Exception as error:  # noqa: BLE001 - the others still print
                    logger.exception("Letters to %s (action %s) not printed", person_id, action_id)
                    _attempt_failed(
                        ids,
                        error=_("The letters could not be printed: %(error)s")
                        % {"error": str(error) or error.__class__.__name__},
                    )
                else:
                    printed += ids
    finally:
        # Stopped part way: what was not printed goes back at once.
        _give_back([letter.pk for letter in letters if letter.pk not in set(printed)])
    return printed


def letters_send_chunk(*, letter_ids: list[int]) -> list[int]:
    """The chunk task's work: send (or print) each of these letters that is still QUEUED;
    returns the ids sent or printed."""
    letters = list(
        Letter.objects.filter(pk__in=letter_ids, state=Letter.State.QUEUED)
        .select_related("action__organisation", "action__foi_country", "signatory", "target")
        .order_by("action_id", "target_id", "pk")
    )
    if not letters:
        return []
    emails = [letter for letter in letters if not letter.action.is_printed]
    printed = [letter for letter in letters if letter.action.is_printed]
    done = []
    if emails:
        done += _send_emails(emails)
    if printed:
        done += _print(printed)
    sent = [letter.pk for letter in emails if letter.pk in set(done)]
    if sent:
        letters_after_sending(letter_ids=sent)
    actions_refresh_state(action_ids={letter.action_id for letter in letters})
    return done


def actions_refresh_state(*, action_ids: Iterable[int], now: dt.datetime | None = None) -> int:
    """Sending → sent for the actions with nothing left scheduled, queued or being sent."""
    now = now or timezone.now()
    left = Letter.objects.filter(
        action=OuterRef("pk"),
        state__in=[Letter.State.SCHEDULED, *Letter.IN_FLIGHT],
    )
    return (
        LetterAction.objects.filter(pk__in=list(action_ids), state=LetterAction.State.SENDING)
        .exclude(Exists(left))
        .update(state=LetterAction.State.SENT, sent_at=now)
    )


# After sending: FOI deadlines ---------------------------------------------------------------


def foi_recipients(action: LetterAction) -> list[User]:
    """Who hears about an FOI deadline: the action's creator and the organisation's
    coordinators, active ones only."""
    users = User.objects.filter(is_active=True).filter(
        Q(pk=action.created_by_id)
        | Q(
            memberships__organisation_id=action.organisation_id,
            memberships__role=Membership.Role.COORDINATOR,
        )
    )
    return list(users.distinct().order_by("pk"))


def foi_reminders_schedule(
    *, letter: Letter, recipients: list[User], now: dt.datetime | None = None
) -> int:
    """Reminders about the answer due on an FOI request: FOI_WARNING_DAYS before the
    deadline and on the day, at 09:00 in each recipient's zone. Scheduling again changes
    nothing; a reply logged cancels them (services.foi_reminders_cancel)."""
    from letters.services import foi_reminder_keys

    if letter.foi_deadline is None or letter.has_reply:
        return 0
    now = now or timezone.now()
    before_key, due_key = foi_reminder_keys(letter)
    count = 0
    for user in recipients:
        moment = dt.datetime.combine(letter.foi_deadline, dt.time(FOI_REMINDER_HOUR))
        due = local_to_utc(moment, user.time_zone)
        before = due - dt.timedelta(days=FOI_WARNING_DAYS)
        with translation.override(user.language):
            values = {
                "target": letter.target.name,
                "date": letter.foi_deadline.isoformat(),
                "action": letter.action.title,
            }
            soon = _("FOI answer due from %(target)s on %(date)s") % values
            today = _("FOI answer due today from %(target)s") % values
            message = (
                _("%(action)s: log the answer on the letter, or note that none came.") % values
            )
        plans = [(due_key, due, today)]
        if before > now:
            plans.append((before_key, before, soon))
        for key, when, title in plans:
            reminders.reminder_schedule(
                recipient=user,
                due_at=when,
                kind=Reminder.Kind.FOI_DEADLINE,
                source_key=key,
                title=title,
                message=message,
                url=letter.get_absolute_url(),
                target=letter,
            )
            count += 1
    return count


def letters_after_sending(*, letter_ids: list[int], now: dt.datetime | None = None) -> int:
    """What follows a letter's sending: for FOI requests, the deadline (for printed ones,
    counted from the day they were delivered) and its reminders."""
    now = now or timezone.now()
    letters = list(
        Letter.objects.filter(pk__in=letter_ids, action__kind=LetterAction.Kind.FOI)
        .select_related("action__foi_country", "target")
        .order_by("pk")
    )
    if not letters:
        return 0
    missing = [letter for letter in letters if letter.foi_deadline is None]
    if missing:
        zones = _target_zones(missing)
        for letter in missing:
            deadline = letter.action.foi_deadline_rule
            if deadline is None:
                continue
            sent_on = (letter.sent_at or now).astimezone(zone(zones.get(letter.target_id))).date()
            letter.foi_deadline = deadline.due(sent_on)
            Letter.objects.filter(pk=letter.pk).update(foi_deadline=letter.foi_deadline)
    count = 0
    recipients: dict[int, list[User]] = {}
    for letter in letters:
        if letter.action_id not in recipients:
            recipients[letter.action_id] = foi_recipients(letter.action)
        try:
            count += foi_reminders_schedule(
                letter=letter, recipients=recipients[letter.action_id], now=now
            )
        except Exception:  # noqa: BLE001 - the letter is sent; the daily task tries again
            logger.exception("FOI reminders for letter %s not scheduled", letter.pk)
    return count


def foi_daily(*, now: dt.datetime | None = None) -> int:
    """The daily FOI task: requests past their deadline with no reply logged are marked
    "no answer" (shown on the results); the reminders of requests still open are made
    again where missing (a worker stopped right after sending). Returns how many were
    marked."""
    now = now or timezone.now()
    today = now.date()
    overdue = Letter.objects.filter(
        action__kind=LetterAction.Kind.FOI,
        state=Letter.State.SENT,
        foi_deadline__lt=today,
        reply_kind="",
    )
    marked = overdue.update(
        reply_kind=Letter.ReplyKind.NO_ANSWER, reply_logged_at=now, updated_at=now
    )
    if marked:
        logger.info("%d FOI requests past their deadline marked unanswered", marked)
    open_requests = Letter.objects.filter(
        action__kind=LetterAction.Kind.FOI,
        state=Letter.State.SENT,
        foi_deadline__gte=today,
        reply_kind="",
    ).values_list("pk", flat=True)
    letters_after_sending(letter_ids=list(open_requests), now=now)
    return marked


# After sending: did a reply come? ----------------------------------------------------------


def _ask_user(letter: Letter, now: dt.datetime) -> None:
    from letters.services import reply_check_key

    user = letter.signatory.user
    if not user.is_active:
        return  # nobody to ask; stamped so it is not looked at again
    with translation.override(user.language):
        title = _("Did %(target)s reply to your letter?") % {"target": letter.target.name}
        message = _(
            "You wrote to them two weeks ago for %(action)s. Log the reply on the letter, or "
            "note that none came."
        ) % {"action": letter.action.title}
    reminders.reminder_schedule(
        recipient=user,
        due_at=now,
        kind=Reminder.Kind.LETTER_ACTION,
        source_key=reply_check_key(letter),
        title=title,
        message=message,
        url=letter.get_absolute_url(),
        target=letter,
    )


def _ask_supporter(letter: Letter) -> None:
    signatory = letter.signatory
    url = absolute_url(reverse("letters:public_reply", args=[signatory.token, letter.pk]))
    context = {"letter": letter, "signatory": signatory, "action": letter.action, "url": url}
    with translation.override(signatory.language):
        subject = render_to_string("letters/email/reply_check_subject.txt", context).strip()
        body = render_to_string("letters/email/reply_check_body.txt", context)
    send_mail(_one_line(subject), body, None, [signatory.email])


def letters_reply_check(*, now: dt.datetime | None = None) -> int:
    """Ask the writers of letters sent fourteen days ago whether a reply came: users by a
    reminder linking to the letter, supporters who agreed to be contacted by an email
    linking to the public reply form. Each letter once (reply_check_sent_at). Returns how
    many were asked."""
    now = now or timezone.now()
    due = (
        Letter.objects.filter(
            state=Letter.State.SENT,
            sent_at__lte=now - REPLY_CHECK_AFTER,
            sent_at__gte=now - REPLY_CHECK_AFTER - REPLY_CHECK_GRACE,
            reply_check_sent_at=None,
            reply_kind="",
            signatory__isnull=False,
        )
        .filter(Q(signatory__user__isnull=False) | Q(signatory__consent_contact_at__isnull=False))
        .select_related("signatory__user", "action", "target")
        .order_by("sent_at", "pk")
    )
    asked = 0
    for letter in due[:REPLY_CHECK_BATCH]:
        # Stamped first: two runs at once ask once. Unstamped again if the asking failed.
        if not Letter.objects.filter(pk=letter.pk, reply_check_sent_at=None).update(
            reply_check_sent_at=now
        ):
            continue
        try:
            if letter.signatory.user_id:
                _ask_user(letter, now)
            else:
                _ask_supporter(letter)
        except NETWORK_ERRORS as error:
            logger.warning("Reply check of letter %s not sent: %s", letter.pk, error)
            Letter.objects.filter(pk=letter.pk).update(reply_check_sent_at=None)
        else:
            asked += 1
    return asked
