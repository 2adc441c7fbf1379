"""The ledger (收件登记簿): every file the engine has received, where its copy is kept, and the
cached readings of it.

Three tables, created on first use:

- `files`: one row per distinct content (sha256): size, archived copy, and the received time
  (the earliest modification time of any inbox name that held these bytes when first seen);
- `sightings`: each inbox name with the bytes it held and its modification time when the engine
  first saw that name with those bytes (a later `touch` changes nothing here);
- `readings`: the reader's result for (sha256, inbox name, reader version, catalogue), as JSON,
  so a rerun reads only what changed;
- `uploads`: each workbook a unit uploaded through its portal link (unit, bytes, the moment the
  upload completed), with its receipt as the unit saw it and, once the month's quality suites
  have run over it, their problems (`checked`; NULL while still being checked);
- `portal_links`: each unit's current link, as the sha256 of its token (never the token).

An embedded SQLite file (`<workspace>/ledger.db`) by default; any SQLAlchemy URL by
configuration (`ledger_url`, e.g. `postgresql+psycopg://audit@db-host/progress_audit` when
several machines share one inbox). SQLite runs in WAL mode with a busy timeout so two processes
can write it; every write is a single short transaction of idempotent statements.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

LEDGER_FILE = "ledger.db"
SCHEMA_VERSION = "1"

_meta = sa.MetaData()

FILES = sa.Table(
    "files",
    _meta,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("ext", sa.String(16), nullable=False),
    sa.Column("archived", sa.String(), nullable=False),
    sa.Column("received_ns", sa.BigInteger, nullable=False),
    sa.Column("first_seen_at", sa.String(40), nullable=False),
)
SIGHTINGS = sa.Table(
    "sightings",
    _meta,
    sa.Column("name", sa.String(), primary_key=True),
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("mtime_ns", sa.BigInteger, nullable=False),
    sa.Column("first_seen_at", sa.String(40), nullable=False),
)
READINGS = sa.Table(
    "readings",
    _meta,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(), primary_key=True),
    sa.Column("reader_version", sa.String(64), primary_key=True),
    sa.Column("context", sa.String(64), primary_key=True),
    sa.Column("reading", sa.Text, nullable=False),
)
UPLOADS = sa.Table(
    "uploads",
    _meta,
    sa.Column("unit", sa.String(), primary_key=True),
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("received_ns", sa.BigInteger, primary_key=True),
    sa.Column("name", sa.String(), nullable=False),
    sa.Column("period", sa.String(7)),
    sa.Column("receipt", sa.Text, nullable=False),
    sa.Column("checked", sa.Text),
)
LINKS = sa.Table(
    "portal_links",
    _meta,
    sa.Column("unit", sa.String(), primary_key=True),
    sa.Column("nonce", sa.String(64), nullable=False),
    sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("since", sa.String(40), nullable=False),
)
META = sa.Table(
    "ledger_meta",
    _meta,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(), nullable=False),
)


class LedgerError(RuntimeError):
    """The ledger cannot be opened or used; the message says which database and what to do."""


@dataclass(frozen=True)
class FileRecord:
    """A distinct content the engine has received (one row of `files`)."""

    sha256: str
    size: int
    ext: str
    archived: str
    """The immutable copy's path, relative to the workspace (posix)."""
    received_ns: int
    """Received time in nanoseconds since the epoch (the earliest first-seen mtime)."""


@dataclass(frozen=True)
class Upload:
    """A workbook a unit uploaded through its portal link (one row of `uploads`)."""

    unit: str
    sha256: str
    received_ns: int
    """When the upload completed, in nanoseconds since the epoch."""
    name: str
    """The name it is known by in the findings (`门户上传/人社局/….xlsx`), never a path."""
    period: str | None
    receipt: str
    """The receipt as given at upload (JSON text)."""
    checked: str | None
    """The quality suites' problems for it (JSON text), or None while still being checked."""
    archived: str = ""
    size: int = 0


@dataclass(frozen=True)
class Sighting:
    """An inbox name seen holding some bytes (one row of `sightings`)."""

    name: str
    sha256: str
    size: int
    mtime_ns: int


def ledger_url(target: str | Path) -> str:
    """An SQLAlchemy URL as given, or the workspace's embedded SQLite file."""
    text = str(target)
    if "://" in text:
        return text
    return sa.URL.create("sqlite", database=str(Path(text) / LEDGER_FILE)).render_as_string()


class Ledger:
    """The ledger's database. Safe to share between threads; one per process."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._inserts: dict[str, sa.Executable] = {}
        self._ensured: set[int] = set()
        self.url = engine.url.render_as_string(hide_password=False)

    @classmethod
    def open(cls, target: str | Path) -> Ledger:
        """Open (and create on first use) the ledger at an SQLAlchemy URL or in a workspace."""
        url = ledger_url(target)
        if "://" not in str(target):
            Path(target).mkdir(parents=True, exist_ok=True)
        try:
            backend = sa.make_url(url).get_backend_name()
            if backend not in ("sqlite", "postgresql"):
                raise LedgerError(
                    f"登记簿数据库 {_safe(url)} 的类型 {backend} 不受支持："
                    "请使用 SQLite（默认）或 PostgreSQL"
                )
            engine = sa.create_engine(url)
        except (sa.exc.ArgumentError, ImportError) as e:
            raise LedgerError(
                f"无法打开登记簿数据库 {_safe(url)}：{e}（请检查 ledger_url 配置）"
            ) from e
        if engine.dialect.name == "sqlite":
            _sqlite_pragmas(engine)
        ledger = cls(engine)
        try:
            ledger._create()
        except sa.exc.OperationalError as e:
            engine.dispose()
            raise LedgerError(
                f"无法连接登记簿数据库 {_safe(url)}：{' '.join(str(e.orig).split())}"
                "（请检查数据库是否已启动、地址和权限）"
            ) from e
        return ledger

    def _create(self) -> None:
        try:
            _meta.create_all(self.engine, checkfirst=True)
        except (sa.exc.ProgrammingError, IntegrityError):
            # Another process created the tables between our check and our CREATE: look again.
            _meta.create_all(self.engine, checkfirst=True)
        with self.engine.begin() as conn:
            conn.execute(
                self._insert_ignore(META), {"key": "schema_version", "value": SCHEMA_VERSION}
            )
            version = conn.execute(
                sa.select(META.c.value).where(META.c.key == "schema_version")
            ).scalar_one()
        if version != SCHEMA_VERSION:
            raise LedgerError(
                f"登记簿 {_safe(self.url)} 的格式版本为 {version}，本程序使用 {SCHEMA_VERSION}："
                "请升级程序或使用新的登记簿"
            )

    def ensure_tables(self, meta: sa.MetaData) -> bool:
        """Create another module's tables in this database on first use, once per process
        (two processes at once: the second looks again); True the first time."""
        if id(meta) in self._ensured:
            return False
        try:
            meta.create_all(self.engine, checkfirst=True)
        except (sa.exc.ProgrammingError, IntegrityError, sa.exc.OperationalError):
            meta.create_all(self.engine, checkfirst=True)
        self._ensured.add(id(meta))
        return True

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __reduce__(self) -> tuple[Any, ...]:
        # A process-based task runner pickles its arguments: reopen the same database there.
        return (Ledger.open, (self.url,))

    # -- files and sightings --------------------------------------------------------------

    def lookup(self, name: str, sha256: str, reader_version: str, context: str) -> Known:
        """Everything known of inbox `name` holding these bytes, in one query: the bytes'
        record, this sighting's first mtime, and the cached reading. A rerun needs no more."""
        with self.engine.connect() as conn:
            row = conn.execute(
                _LOOKUP, {"sha": sha256, "name": name, "rv": reader_version, "ctx": context}
            ).first()
        if row is None:
            return Known(None, None, None)
        return Known(_file_record(row), row.seen_ns, row.reading)

    def file(self, sha256: str) -> FileRecord | None:
        """What the ledger knows of these bytes, or None if they were never received."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(FILES).where(FILES.c.sha256 == sha256)).first()
        return _file_record(row) if row else None

    def record(
        self,
        name: str,
        sha256: str,
        size: int,
        mtime_ns: int,
        ext: str,
        archived: str,
        reading: CachedReading | None = None,
    ) -> Known:
        """Record that inbox `name` holds these bytes (idempotent), with their reading when
        given (one transaction); return the bytes' record and the sighting's first mtime.

        A sighting's mtime is the one of its first sighting: seeing it again, touched or not,
        changes nothing. The bytes' received time is the earliest of their sightings' mtimes,
        so the answer does not depend on the order in which two copies were seen.
        """
        seen_at = datetime.now(UTC).isoformat(timespec="seconds")  # informational only
        with self.engine.begin() as conn:
            if reading is not None:
                conn.execute(
                    self._insert_ignore(READINGS),
                    {
                        "sha256": sha256,
                        "name": name,
                        "reader_version": reading.reader_version,
                        "context": reading.context,
                        "reading": reading.text,
                    },
                )
            new_bytes = (
                conn.execute(
                    self._insert_ignore(FILES),
                    {
                        "sha256": sha256,
                        "size": size,
                        "ext": ext,
                        "archived": archived,
                        "received_ns": mtime_ns,
                        "first_seen_at": seen_at,
                    },
                ).rowcount
                == 1
            )
            if new_bytes:  # then the sighting is new too: nothing more to look up
                conn.execute(
                    self._insert_ignore(SIGHTINGS),
                    {
                        "name": name,
                        "sha256": sha256,
                        "size": size,
                        "mtime_ns": mtime_ns,
                        "first_seen_at": seen_at,
                    },
                )
                return Known(FileRecord(sha256, size, ext, archived, mtime_ns), mtime_ns, None)
            conn.execute(
                self._insert_ignore(SIGHTINGS),
                {
                    "name": name,
                    "sha256": sha256,
                    "size": size,
                    "mtime_ns": mtime_ns,
                    "first_seen_at": seen_at,
                },
            )
            first = conn.execute(_SIGHTING_MTIME, {"name": name, "sha": sha256}).scalar_one()
            conn.execute(_EARLIER, {"sha": sha256, "first": first})
            row = conn.execute(_FILE, {"sha": sha256}).one()
        return Known(_file_record(row), first, None)

    def sightings(self) -> list[Sighting]:
        """Every sighting ever recorded, by name then first mtime."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(SIGHTINGS).order_by(SIGHTINGS.c.name, SIGHTINGS.c.mtime_ns)
            ).all()
        return [Sighting(r.name, r.sha256, r.size, r.mtime_ns) for r in rows]

    def files(self) -> list[FileRecord]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(FILES).order_by(FILES.c.sha256)).all()
        return [_file_record(r) for r in rows]

    # -- portal uploads and links -----------------------------------------------------------

    def record_upload(
        self, upload: Upload, size: int, ext: str, archived: str, reading: CachedReading | None
    ) -> None:
        """Record an upload whose bytes are archived: the bytes (received when the upload
        completed, unless received earlier), the reading and the receipt, in one transaction,
        so that an upload is either wholly recorded or not at all."""
        seen_at = datetime.now(UTC).isoformat(timespec="seconds")  # informational only
        with self.engine.begin() as conn:
            conn.execute(
                self._insert_ignore(FILES),
                {
                    "sha256": upload.sha256,
                    "size": size,
                    "ext": ext,
                    "archived": archived,
                    "received_ns": upload.received_ns,
                    "first_seen_at": seen_at,
                },
            )
            if reading is not None:
                conn.execute(
                    self._insert_ignore(READINGS),
                    {
                        "sha256": upload.sha256,
                        "name": upload.name,
                        "reader_version": reading.reader_version,
                        "context": reading.context,
                        "reading": reading.text,
                    },
                )
            conn.execute(
                self._insert_ignore(UPLOADS),
                {
                    "unit": upload.unit,
                    "sha256": upload.sha256,
                    "received_ns": upload.received_ns,
                    "name": upload.name,
                    "period": upload.period,
                    "receipt": upload.receipt,
                    "checked": upload.checked,
                },
            )

    def uploads(
        self,
        unit: str | None = None,
        sha256: str | None = None,
        *,
        unchecked: bool = False,
        periods: Collection[str] | None = None,
    ) -> list[Upload]:
        """Uploads (of one unit, of some bytes, those still being checked, or those of some
        months and those whose month could not be read), oldest first."""
        query = sa.select(UPLOADS, FILES.c.archived, FILES.c.size).join(
            FILES, FILES.c.sha256 == UPLOADS.c.sha256
        )
        if periods is not None:
            query = query.where(
                sa.or_(UPLOADS.c.period.in_(sorted(periods)), UPLOADS.c.period.is_(None))
            )
        if unit is not None:
            query = query.where(UPLOADS.c.unit == unit)
        if sha256 is not None:
            query = query.where(UPLOADS.c.sha256 == sha256)
        if unchecked:
            query = query.where(UPLOADS.c.checked.is_(None))
        query = query.order_by(UPLOADS.c.received_ns, UPLOADS.c.unit, UPLOADS.c.sha256)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            Upload(
                r.unit,
                r.sha256,
                r.received_ns,
                r.name,
                r.period,
                r.receipt,
                r.checked,
                r.archived,
                r.size,
            )
            for r in rows
        ]

    def mark_checked(self, checked: Mapping[tuple[str, str, int], str]) -> None:
        """Store the quality suites' problems of several uploads (by unit, sha256, received_ns)
        in one transaction."""
        if not checked:
            return
        with self.engine.begin() as conn:
            conn.execute(
                UPLOADS.update()
                .where(
                    UPLOADS.c.unit == sa.bindparam("u"),
                    UPLOADS.c.sha256 == sa.bindparam("s"),
                    UPLOADS.c.received_ns == sa.bindparam("r"),
                )
                .values(checked=sa.bindparam("c")),
                [{"u": u, "s": s, "r": r, "c": c} for (u, s, r), c in checked.items()],
            )

    def link(self, unit: str) -> tuple[str, str] | None:
        """A unit's current link: (nonce, sha256 of the token), or None before the first."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(LINKS.c.nonce, LINKS.c.token_sha256).where(LINKS.c.unit == unit)
            ).first()
        return (row.nonce, row.token_sha256) if row else None

    def links(self) -> dict[str, tuple[str, str]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(LINKS)).all()
        return {r.unit: (r.nonce, r.token_sha256) for r in rows}

    def set_link(self, unit: str, nonce: str, token_sha256: str, *, replace: bool) -> None:
        """Keep a unit's link (its token's sha256); `replace` ends the previous one at once,
        otherwise an existing link is left as it is (two processes creating the first)."""
        since = datetime.now(UTC).isoformat(timespec="seconds")
        values = {"unit": unit, "nonce": nonce, "token_sha256": token_sha256, "since": since}
        with self.engine.begin() as conn:
            if replace:
                conn.execute(LINKS.delete().where(LINKS.c.unit == unit))
            conn.execute(self._insert_ignore(LINKS), values)

    def unit_of_token(self, token_sha256: str) -> tuple[str, str] | None:
        """The unit whose current link has this token's sha256, with the sha256 as stored."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(LINKS.c.unit, LINKS.c.token_sha256).where(
                    LINKS.c.token_sha256 == token_sha256
                )
            ).first()
        return (row.unit, row.token_sha256) if row else None

    # -- reading cache --------------------------------------------------------------------

    def cached_reading(
        self, sha256: str, name: str, reader_version: str, context: str
    ) -> str | None:
        """The stored reading (JSON text) for these bytes under this name, or None."""
        with self.engine.connect() as conn:
            return conn.execute(
                _READING, {"sha": sha256, "name": name, "rv": reader_version, "ctx": context}
            ).scalar_one_or_none()

    def cached_readings(
        self, keys: Collection[tuple[str, str]], reader_version: str, context: str
    ) -> dict[tuple[str, str], str]:
        """The stored readings of several (sha256, name), in one query: those there are."""
        if not keys:
            return {}
        wanted = set(keys)
        query = sa.select(READINGS.c.sha256, READINGS.c.name, READINGS.c.reading).where(
            READINGS.c.sha256.in_(sorted({sha for sha, _ in wanted})),
            READINGS.c.reader_version == reader_version,
            READINGS.c.context == context,
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return {(r.sha256, r.name): r.reading for r in rows if (r.sha256, r.name) in wanted}

    def store_reading(
        self, sha256: str, name: str, reader_version: str, context: str, reading: str
    ) -> None:
        """Keep a reading; a reading already stored for the same key is left as it is."""
        with self.engine.begin() as conn:
            conn.execute(
                self._insert_ignore(READINGS),
                {
                    "sha256": sha256,
                    "name": name,
                    "reader_version": reader_version,
                    "context": context,
                    "reading": reading,
                },
            )

    def _insert_ignore(self, table: sa.Table) -> sa.Executable:
        """INSERT unless the key exists: atomic on SQLite and PostgreSQL. Built once per table
        (statement construction costs more than the query on a rerun)."""
        statement = self._inserts.get(table.name)
        if statement is None:
            module = importlib.import_module(f"sqlalchemy.dialects.{self.engine.dialect.name}")
            statement = module.insert(table).on_conflict_do_nothing()
            self._inserts[table.name] = statement
        return statement


class CachedReading(NamedTuple):
    """A reading to keep, with the key it is kept under besides the bytes and the name."""

    reader_version: str
    context: str
    text: str


@dataclass(frozen=True)
class Known:
    """What the ledger knows of an inbox name holding some bytes."""

    file: FileRecord | None
    """The bytes' record; None when these bytes were never received."""
    seen_ns: int | None
    """This name's mtime when first seen with these bytes; None if never seen so."""
    reading: str | None
    """The cached reading asked for (JSON text), if any."""


_sha, _name = sa.bindparam("sha"), sa.bindparam("name")
_FILE = sa.select(FILES).where(FILES.c.sha256 == _sha)
_SIGHTING_MTIME = sa.select(SIGHTINGS.c.mtime_ns).where(
    SIGHTINGS.c.name == _name, SIGHTINGS.c.sha256 == _sha
)
_EARLIER = (
    FILES.update()
    .where(FILES.c.sha256 == _sha, FILES.c.received_ns > sa.bindparam("first"))
    .values(received_ns=sa.bindparam("first"))
)
_READING_KEY = sa.and_(
    READINGS.c.name == _name,
    READINGS.c.reader_version == sa.bindparam("rv"),
    READINGS.c.context == sa.bindparam("ctx"),
)
_READING = sa.select(READINGS.c.reading).where(READINGS.c.sha256 == _sha, _READING_KEY)
_LOOKUP = (
    sa.select(FILES, SIGHTINGS.c.mtime_ns.label("seen_ns"), READINGS.c.reading)
    .select_from(
        FILES.outerjoin(
            SIGHTINGS, sa.and_(SIGHTINGS.c.sha256 == FILES.c.sha256, SIGHTINGS.c.name == _name)
        ).outerjoin(READINGS, sa.and_(READINGS.c.sha256 == FILES.c.sha256, _READING_KEY))
    )
    .where(FILES.c.sha256 == _sha)
)


def _file_record(row: Any) -> FileRecord:
    return FileRecord(row.sha256, row.size, row.ext, row.archived, row.received_ns)


def _sqlite_pragmas(engine: sa.Engine) -> None:
    """WAL lets readers and one writer work at once; the busy timeout makes a second process
    wait for the lock instead of failing."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()


def _safe(url: str) -> str:
    """A URL fit for a message: the password hidden."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url
